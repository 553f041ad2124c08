using System.Net;
using System.Net.Sockets;
using System.Runtime.InteropServices;
using Microsoft.Extensions.Logging;
using Routing.Bgp.Reflection;
using Routing.Bgp.Rib;
using Routing.Bgp.Wire;
using Routing.Bgp.Wire.Attributes;

namespace Routing.Bgp.Sessions;

public sealed partial class Peer
{
    // The Adj-RIB-In is kept in the Loc-RIB (one table, not two, for a million prefixes): the peer
    // counts what it has there, and remembers what it sent that policy refused.
    private readonly HashSet<Nlri> rejected = [];
    private int accepted;

    // Adj-RIB-Out: what this peer was sent, with the attributes it was sent with.
    private readonly Dictionary<Prefix, SentPath> adjRibOut = [];
    private RouteSource? source;
    private int prefixesReceived;

    // Reused by every UPDATE: the Loc-RIB takes what it needs from them before OnUpdate returns.
    private readonly List<(AfiSafi Family, Nlri Nlri)> withdrawnBuffer = [];
    private readonly List<(Nlri Nlri, PathInfo Path)> announcedBuffer = [];

    private void OnUpdate(UpdateMessage update)
    {
        if (update.TreatAsWithdraw is { } reason)
        {
            Log.TreatAsWithdraw(logger, Address, reason);
        }

        foreach (var discarded in update.Discarded)
        {
            Log.AttributeDiscarded(logger, Address, discarded);
        }

        if (update.EndOfRib is { } endOfRib)
        {
            Log.EndOfRib(logger, Address, endOfRib);
            if (!endOfRibReceived.Contains(endOfRib))
            {
                endOfRibReceived = [.. endOfRibReceived, endOfRib];
                Publish(null);
            }

            return;
        }

        source ??= new RouteSource(config.PeerAddress, primary?.ReceivedOpen?.BgpIdentifier ?? 0, config.PeerAs, IsExternal);
        var withdrawn = withdrawnBuffer;
        var announced = announcedBuffer;
        withdrawn.Clear();
        announced.Clear();
        foreach (var (family, nlri) in update.WithdrawnRoutes())
        {
            rejected.Remove(nlri);
            withdrawn.Add((family, nlri));
        }

        if (update.Attributes is { } attributes && update.TreatAsWithdraw is null)
        {
            // RFC 4271 §5.1.5: LOCAL_PREF from an external peer is ignored.
            if (IsExternal && attributes.LocalPref is not null)
            {
                attributes = attributes with { LocalPref = null };
            }

            var refusal = Refuse(attributes);
            Accept(AfiSafi.Ipv4Unicast, update.Nlri, attributes, update.NextHopFor(AfiSafi.Ipv4Unicast), refusal);
            if (update.MpReach is { } reach)
            {
                Accept(reach.Family, reach.Nlri, attributes, reach.NextHop, refusal);
            }

            if (refusal is not null)
            {
                Log.RoutesRefused(logger, Address, refusal);
            }
        }

        if (announced.Count > 0 || withdrawn.Count > 0)
        {
            var delta = host.OnRoutes(this, announced, withdrawn);
            accepted += delta.Added - delta.Removed;
        }

        prefixesReceived = accepted + rejected.Count;

        Publish(null);
    }

    /// <summary>
    /// Puts the routes of one family of an UPDATE in the announced buffer, all sharing one
    /// PathInfo, or, when refused (policy, no next hop, family not negotiated), in the withdrawn
    /// buffer: an earlier accepted path for them is withdrawn.
    /// </summary>
    private void Accept(AfiSafi family, IReadOnlyList<Nlri> list, PathAttributes attributes, IPAddress? nextHop, string? refusal)
    {
        // Decoded UPDATEs hold arrays: indexed as a span, a route costs no call into a collection.
        var routes = ListSpans.Of(list);
        if (routes.IsEmpty)
        {
            return;
        }

        if (refusal is not null || nextHop is null || !families.Contains(family))
        {
            foreach (var route in routes)
            {
                rejected.Add(route);
                withdrawnBuffer.Add((family, route));
            }

            return;
        }

        var shared = new PathInfo(attributes, nextHop, source!);
        var start = announcedBuffer.Count;
        CollectionsMarshal.SetCount(announcedBuffer, start + routes.Length);
        var announced = CollectionsMarshal.AsSpan(announcedBuffer)[start..];
        // Most peers never send anything refused: no set lookup per prefix then.
        var anyRejected = rejected.Count > 0;
        for (var i = 0; i < routes.Length; i++)
        {
            if (anyRejected)
            {
                rejected.Remove(routes[i]);
            }

            // Field by field: a tuple's constructor is not precompiled for these types.
            announced[i].Nlri = routes[i];
            announced[i].Path = shared;
        }
    }

    /// <summary>Why routes with these attributes are not accepted, or null (RFC 4271 §6.3, §9.1.2; RFC 4456 §8).</summary>
    private string? Refuse(PathAttributes attributes)
    {
        if (IsExternal && attributes.AsPath.NeighborAs != config.PeerAs)
        {
            return $"AS_PATH [{attributes.AsPath}] does not start with the peer's AS {config.PeerAs}";
        }

        if (attributes.AsPath.Contains(LocalAs))
        {
            return $"AS_PATH [{attributes.AsPath}] contains our AS {LocalAs} (loop)";
        }

        return IsExternal ? null : RouteReflection.Loop(attributes, host.Config.RouterIdValue, host.ReflectorClusterId);
    }

    private void OnRouteRefresh(RouteRefreshMessage refresh)
    {
        if (refresh.Subtype != RouteRefreshSubtype.Request || !families.Contains(refresh.Family))
        {
            return;
        }

        if (enhancedRouteRefresh)
        {
            primary?.Send(new RouteRefreshMessage(refresh.Family, RouteRefreshSubtype.BeginningOfRouteRefresh));
        }

        foreach (var prefix in adjRibOut.Keys.Where(p => p.Family == refresh.Family).ToArray())
        {
            adjRibOut.Remove(prefix);
        }

        SendAdjRibOut(full: false, only: refresh.Family);
        if (enhancedRouteRefresh)
        {
            primary?.Send(new RouteRefreshMessage(refresh.Family, RouteRefreshSubtype.EndOfRouteRefresh));
        }
    }

    /// <summary>
    /// Brings the peer's view in line with what this speaker exports: what it originates (a Calico
    /// node is never a transit) and, when it is a route reflector, the iBGP paths RFC 4456 has it
    /// reflect. Sends only the difference, packed per family and set of attributes.
    /// </summary>
    private void SendAdjRibOut(bool full, AfiSafi? only = null)
    {
        if (primary is null)
        {
            return;
        }

        var originated = host.Originated;
        foreach (var family in families)
        {
            if (only is { } wanted && wanted != family)
            {
                continue;
            }

            Dictionary<Prefix, SentPath> desired = [];
            if (host.ReflectorClusterId is not null && !IsExternal)
            {
                var cache = new ReflectionCache();
                foreach (var best in host.BestRoutes(family))
                {
                    if (Reflected(best, ref cache) is { } reflected)
                    {
                        desired[best.Prefix] = reflected;
                    }
                }
            }

            if (NextHopSelf(family) is { } nextHop)
            {
                var own = new SentPath(ExportAttributes(), nextHop);
                foreach (var prefix in originated)
                {
                    if (prefix.Family == family)
                    {
                        desired[prefix] = own;
                    }
                }
            }

            List<Nlri> withdraw = [];
            foreach (var (prefix, _) in adjRibOut)
            {
                if (prefix.Family == family && !desired.ContainsKey(prefix))
                {
                    withdraw.Add(new Nlri(prefix));
                }
            }

            SendDifference(family, desired, withdraw);
            if (full)
            {
                primary.Send(UpdateMessage.EndOfRibFor(family));
            }
        }

        Publish(null);
    }

    /// <summary>Re-computes what the peer is sent for prefixes whose best path changed (a reflector's incremental export).</summary>
    private void SendChanges(Prefix[] prefixes)
    {
        if (primary is null || IsExternal)
        {
            return;
        }

        var originated = host.Originated.ToHashSet();
        var cache = new ReflectionCache();
        foreach (var family in families)
        {
            Dictionary<Prefix, SentPath> desired = [];
            List<Nlri> withdraw = [];
            var nextHop = NextHopSelf(family);
            foreach (var prefix in prefixes)
            {
                if (prefix.Family != family)
                {
                    continue;
                }

                SentPath? path = originated.Contains(prefix)
                    ? nextHop is null ? null : new SentPath(ExportAttributes(), nextHop)
                    : host.BestRoute(prefix) is { } best ? Reflected(best, ref cache) : null;
                if (path is { } wanted)
                {
                    desired[prefix] = wanted;
                }
                else if (adjRibOut.ContainsKey(prefix))
                {
                    withdraw.Add(new Nlri(prefix));
                }
            }

            SendDifference(family, desired, withdraw);
        }

        Publish(null);
    }

    /// <summary>Withdraws <paramref name="withdraw"/> and announces what in <paramref name="desired"/> differs from what the peer has, grouped by attributes.</summary>
    private void SendDifference(AfiSafi family, Dictionary<Prefix, SentPath> desired, List<Nlri> withdraw)
    {
        var options = primary!.Options;
        foreach (var nlri in withdraw)
        {
            adjRibOut.Remove(nlri.Prefix);
        }

        Dictionary<SentPath, List<Nlri>> announce = [];
        foreach (var (prefix, path) in desired)
        {
            if (!adjRibOut.TryGetValue(prefix, out var sent) || sent != path)
            {
                if (!announce.TryGetValue(path, out var group))
                {
                    announce[path] = group = [];
                }

                group.Add(new Nlri(prefix));
                adjRibOut[prefix] = path;
            }
        }

        withdraw.Sort((a, b) => a.Prefix.CompareTo(b.Prefix));
        foreach (var message in UpdatePacker.Withdraw(family, withdraw, options))
        {
            primary.Send(message);
        }

        foreach (var (path, group) in announce)
        {
            group.Sort((a, b) => a.Prefix.CompareTo(b.Prefix));
            foreach (var message in UpdatePacker.Announce(family, path.Attributes, path.NextHop, group, options))
            {
                primary.Send(message);
            }
        }
    }

    /// <summary>What this peer is sent for a learned best path when the speaker reflects it there (RFC 4456 §6, §8), or null.</summary>
    private SentPath? Reflected(Route best, ref ReflectionCache cache)
    {
        // The routes of one UPDATE share a PathInfo: reflect its attributes once, and send them as one group.
        if (cache.From is not null && ReferenceEquals(cache.From, best.Path))
        {
            return cache.Sent;
        }

        cache = new ReflectionCache(best.Path, Reflect(best));
        return cache.Sent;
    }

    private SentPath? Reflect(Route best)
    {
        if (host.ReflectorClusterId is not { } clusterId || IsExternal || best.Source.PeerAddress.Equals(Address))
        {
            return null;
        }

        // The peer would drop it as its own (RFC 4456 §8): not worth sending.
        if (best.Attributes.OriginatorId is { } originator && originator == primary?.ReceivedOpen?.BgpIdentifier)
        {
            return null;
        }

        var attributes = RouteReflection.ReflectTo(best, host.IsReflectorClient(best.Source.PeerAddress), config.RouteReflectorClient, clusterId);
        return attributes is null ? null : new SentPath(attributes, best.NextHop);
    }

    /// <summary>The attributes of originated routes toward this peer: AS_PATH [local AS] over eBGP, LOCAL_PREF 100 over iBGP.</summary>
    private PathAttributes ExportAttributes() => IsExternal
        ? new PathAttributes { Origin = Origin.Igp, AsPath = AsPath.Sequence(LocalAs) }
        : new PathAttributes { Origin = Origin.Igp, AsPath = AsPath.Empty, LocalPref = 100 };

    /// <summary>Next hop self: the session's local address for its own family, else the configured node address.</summary>
    private IPAddress? NextHopSelf(AfiSafi family)
    {
        var local = primary!.Local.Address;
        if (local.IsIPv4MappedToIPv6)
        {
            local = local.MapToIPv4();
        }

        var wantIPv6 = family.Afi == AfiSafi.AfiIPv6;
        if (wantIPv6 == (local.AddressFamily == AddressFamily.InterNetworkV6) && !local.IsIPv6LinkLocal)
        {
            return local;
        }

        return wantIPv6 ? host.Config.IPv6NextHop : host.Config.IPv4NextHop;
    }

    private void WithdrawAllLearned()
    {
        if (accepted > 0)
        {
            host.OnSessionDown(this);
        }

        accepted = 0;
        rejected.Clear();
        prefixesReceived = 0;
        source = null;
    }

    /// <summary>The last learned path reflected, and what it became (null: not sent to this peer).</summary>
    private readonly record struct ReflectionCache(PathInfo? From, SentPath? Sent);

    /// <summary>One prefix as the peer was sent it: its attributes and next hop.</summary>
    private readonly record struct SentPath(PathAttributes Attributes, IPAddress NextHop);
}
