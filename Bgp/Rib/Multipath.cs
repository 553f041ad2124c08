using System.Net;

namespace Routing.Bgp.Rib;

/// <summary>
/// Equal-cost multipath, as BIRD's <c>merge paths</c> and the multipath option of other speakers
/// choose it, beside the decision process (which stays as it is): learned paths that tie with the
/// best on LOCAL_PREF, AS_PATH length, ORIGIN, MED and eBGP/iBGP, and differ only in what the
/// tie-breaks look at (router ID, cluster list, peer address), each through another next hop,
/// may all carry traffic to the prefix.
/// </summary>
public static class Multipath
{
    /// <summary>The best path first, then the other paths that tie with it in order of peer address; empty when there are none.</summary>
    public static IReadOnlyList<Route> Select(Route best, IReadOnlyList<Route> paths)
    {
        ArgumentNullException.ThrowIfNull(best);
        ArgumentNullException.ThrowIfNull(paths);
        List<Route>? equal = null;
        foreach (var path in paths)
        {
            if (!ReferenceEquals(path, best) && Ties(best, path) && (equal is null || !equal.Exists(e => e.NextHop.Equals(path.NextHop))))
            {
                (equal ??= [best]).Add(path);
            }
        }

        if (equal is null)
        {
            return [];
        }

        equal.Sort(1, equal.Count - 1, Comparer<Route>.Create((a, b) => ComparePeers(a.Source.PeerAddress, b.Source.PeerAddress)));
        return equal;
    }

    /// <summary>Whether <paramref name="other"/> may share the traffic of <paramref name="best"/>.</summary>
    public static bool Ties(Route best, Route other)
    {
        ArgumentNullException.ThrowIfNull(best);
        ArgumentNullException.ThrowIfNull(other);
        return !best.Source.IsLocal && !other.Source.IsLocal
            && !best.NextHop.Equals(other.NextHop)
            && best.EffectiveLocalPref == other.EffectiveLocalPref
            && best.Attributes.AsPath.Length == other.Attributes.AsPath.Length
            && best.Attributes.Origin == other.Attributes.Origin
            && (best.Attributes.MultiExitDisc ?? 0) == (other.Attributes.MultiExitDisc ?? 0)
            && best.Source.IsExternal == other.Source.IsExternal;
    }

    private static int ComparePeers(IPAddress a, IPAddress b) =>
        a.AddressFamily != b.AddressFamily ? a.AddressFamily.CompareTo(b.AddressFamily) : a.GetAddressBytes().AsSpan().SequenceCompareTo(b.GetAddressBytes());

    /// <summary>Whether two multipath sets hold the same paths (by reference, in order).</summary>
    public static bool Same(IReadOnlyList<Route> a, IReadOnlyList<Route> b)
    {
        ArgumentNullException.ThrowIfNull(a);
        ArgumentNullException.ThrowIfNull(b);
        if (a.Count != b.Count)
        {
            return false;
        }

        for (var i = 0; i < a.Count; i++)
        {
            if (!ReferenceEquals(a[i], b[i]))
            {
                return false;
            }
        }

        return true;
    }
}
