using System.Buffers;
using System.Net;
using System.Net.Sockets;

namespace Routing.Bgp.Rib;

/// <summary>The winner of the decision process for one prefix, and the step that chose it.</summary>
public readonly record struct BestPathResult(Route Best, BestPathReason Reason);

/// <summary>
/// The BGP decision process (RFC 4271 §9.1.2, RFC 4456 §9) as a pure function: the paths to one prefix
/// in, the best path and why out. The steps run in the order of <see cref="BestPathReason"/>.
/// RFC 4271 §9.1.2.2 e (lowest interior cost to the next hop) is left out: there is no IGP here.
/// </summary>
public static class BestPath
{
    // Up to this many candidates, Select keeps its working set on the stack.
    private const int StackCandidates = 64;

    /// <summary>
    /// Selects the best of <paramref name="candidates"/>, all paths to one prefix. Runs each step over
    /// the whole set as RFC 4271 §9.1.2.2 does, so the answer does not depend on the order of the
    /// candidates even though MED makes pairwise comparison non-transitive.
    /// </summary>
    public static BestPathResult Select(IReadOnlyList<Route> candidates)
    {
        ArgumentNullException.ThrowIfNull(candidates);
        switch (candidates.Count)
        {
            case 0:
                throw new ArgumentException("there must be at least one path to choose from", nameof(candidates));
            case 1:
                return new(candidates[0], BestPathReason.OnlyPath);
            case 2:
                // For two paths the set rules and the pairwise comparison agree.
                var (comparison, reason) = Compare(candidates[0], candidates[1]);
                return new(comparison <= 0 ? candidates[0] : candidates[1], reason);
            default:
                return SelectAmongMany(candidates);
        }
    }

    /// <summary>
    /// Compares two paths to the same prefix: negative if <paramref name="a"/> is better, positive if
    /// <paramref name="b"/> is, and the step that decided. MED counts only when both paths come from
    /// the same neighbour AS; a zero comparison means the paths tie on every step.
    /// </summary>
    public static (int Comparison, BestPathReason Reason) Compare(Route a, Route b)
    {
        ArgumentNullException.ThrowIfNull(a);
        ArgumentNullException.ThrowIfNull(b);
        for (var step = BestPathReason.LocalPref; step <= BestPathReason.PeerAddress; step++)
        {
            if (step == BestPathReason.MultiExitDisc && NeighborAs(a) != NeighborAs(b))
            {
                continue;
            }

            var comparison = CompareAt(step, a, b);
            if (comparison != 0)
            {
                return (comparison, step);
            }
        }

        return (0, BestPathReason.PeerAddress);
    }

    private static BestPathResult SelectAmongMany(IReadOnlyList<Route> candidates)
    {
        int[]? rented = null;
        Span<int> remaining = candidates.Count <= StackCandidates
            ? stackalloc int[StackCandidates]
            : rented = ArrayPool<int>.Shared.Rent(candidates.Count);
        try
        {
            var count = candidates.Count;
            for (var i = 0; i < count; i++)
            {
                remaining[i] = i;
            }

            for (var step = BestPathReason.LocalPref; step <= BestPathReason.PeerAddress; step++)
            {
                count = step == BestPathReason.MultiExitDisc
                    ? RemoveWorseMed(candidates, remaining[..count])
                    : KeepBest(candidates, remaining[..count], step);
                if (count == 1)
                {
                    return new(candidates[remaining[0]], step);
                }
            }

            // Tied on every step, peer address, path ID and next hop included: the paths are interchangeable.
            return new(candidates[remaining[0]], BestPathReason.PeerAddress);
        }
        finally
        {
            if (rented is not null)
            {
                ArrayPool<int>.Shared.Return(rented);
            }
        }
    }

    /// <summary>Keeps the indices of the paths best at <paramref name="step"/> at the front; returns how many.</summary>
    private static int KeepBest(IReadOnlyList<Route> candidates, Span<int> indices, BestPathReason step)
    {
        var kept = 1;
        for (var i = 1; i < indices.Length; i++)
        {
            var comparison = CompareAt(step, candidates[indices[i]], candidates[indices[0]]);
            if (comparison < 0)
            {
                indices[0] = indices[i];
                kept = 1;
            }
            else if (comparison == 0)
            {
                indices[kept++] = indices[i];
            }
        }

        return kept;
    }

    /// <summary>
    /// RFC 4271 §9.1.2.2 c: removes every path for which another path from the same neighbour AS has a
    /// lower MED; returns how many remain, kept at the front.
    /// </summary>
    private static int RemoveWorseMed(IReadOnlyList<Route> candidates, Span<int> indices)
    {
        // Compacting in place is safe: a slot is overwritten only once its path is removed or moved to
        // the front, and the lowest MED of each neighbour AS is never removed, so every path still meets it.
        var kept = 0;
        for (var i = 0; i < indices.Length; i++)
        {
            var route = candidates[indices[i]];
            var neighborAs = NeighborAs(route);
            var med = MultiExitDisc(route);
            var beaten = false;
            for (var j = 0; j < indices.Length && !beaten; j++)
            {
                var other = candidates[indices[j]];
                beaten = MultiExitDisc(other) < med && NeighborAs(other) == neighborAs;
            }

            if (!beaten)
            {
                indices[kept++] = indices[i];
            }
        }

        return kept;
    }

    /// <summary>One step of the decision process on its own: negative if <paramref name="a"/> is better.</summary>
    private static int CompareAt(BestPathReason step, Route a, Route b) => step switch
    {
        // RFC 4271 §9.1.1: the degree of preference of a path is its LOCAL_PREF; highest wins.
        BestPathReason.LocalPref => b.EffectiveLocalPref.CompareTo(a.EffectiveLocalPref),

        // Common practice (GoBGP, FRR, Cisco): paths this speaker originates beat learned ones; RFC 4271 §9.1.1 leaves it to policy.
        BestPathReason.LocallyOriginated => b.Source.IsLocal.CompareTo(a.Source.IsLocal),

        // RFC 4271 §9.1.2.2 a: shortest AS_PATH, an AS_SET counting 1 and confederation segments 0 (RFC 5065 §5.3).
        BestPathReason.AsPathLength => a.Attributes.AsPath.Length.CompareTo(b.Attributes.AsPath.Length),

        // RFC 4271 §9.1.2.2 b: lowest ORIGIN, IGP < EGP < INCOMPLETE.
        BestPathReason.Origin => ((byte)a.Attributes.Origin).CompareTo((byte)b.Attributes.Origin),

        // RFC 4271 §9.1.2.2 c: lowest MED; callers make sure both paths share a neighbour AS.
        BestPathReason.MultiExitDisc => MultiExitDisc(a).CompareTo(MultiExitDisc(b)),

        // RFC 4271 §9.1.2.2 d: eBGP-learned beats iBGP-learned.
        BestPathReason.ExternalOverInternal => b.Source.IsExternal.CompareTo(a.Source.IsExternal),

        // RFC 4271 §9.1.2.2 f, with ORIGINATOR_ID standing in for the BGP identifier (RFC 4456 §9): lowest wins.
        BestPathReason.RouterId => RouterId(a).CompareTo(RouterId(b)),

        // RFC 4456 §9: shortest CLUSTER_LIST.
        BestPathReason.ClusterListLength => a.Attributes.ClusterList.Count.CompareTo(b.Attributes.ClusterList.Count),

        // RFC 4271 §9.1.2.2 g: lowest peer address.
        BestPathReason.PeerAddress => ComparePeerAddresses(a, b),

        _ => throw new ArgumentOutOfRangeException(nameof(step), step, "not a step of the decision process"),
    };

    /// <summary>RFC 4271 §9.1.2.2 c: a missing MED is the lowest possible value.</summary>
    private static uint MultiExitDisc(Route route) => route.Attributes.MultiExitDisc ?? 0;

    /// <summary>The AS a path came from; null for this speaker's own paths and paths from inside this AS, which group together.</summary>
    private static uint? NeighborAs(Route route) => route.Source.IsLocal ? null : route.Attributes.AsPath.NeighborAs;

    private static uint RouterId(Route route) => route.Attributes.OriginatorId ?? route.Source.PeerRouterId;

    private static int ComparePeerAddresses(Route a, Route b)
    {
        var comparison = CompareAddresses(a.Source.PeerAddress, b.Source.PeerAddress);
        if (comparison != 0)
        {
            return comparison;
        }

        // Beyond the RFC: several paths from one peer (ADD-PATH, RFC 7911) or several local paths
        // still need an order, so that Select does not depend on the order of its input.
        comparison = a.PathId.CompareTo(b.PathId);
        return comparison != 0 ? comparison : CompareAddresses(a.NextHop, b.NextHop);
    }

    /// <summary>IPv4 before IPv6, then the address bytes in network order.</summary>
    private static int CompareAddresses(IPAddress a, IPAddress b)
    {
        var comparison = (a.AddressFamily == AddressFamily.InterNetworkV6).CompareTo(b.AddressFamily == AddressFamily.InterNetworkV6);
        if (comparison != 0)
        {
            return comparison;
        }

        Span<byte> aBytes = stackalloc byte[16];
        Span<byte> bBytes = stackalloc byte[16];
        _ = a.TryWriteBytes(aBytes, out var aLength);
        _ = b.TryWriteBytes(bBytes, out var bLength);
        return aBytes[..aLength].SequenceCompareTo(bBytes[..bLength]);
    }
}
