using System.Net;
using Routing.Bgp.Rib;
using Routing.Bgp.Sessions;
using Routing.Bgp.Wire;
using Routing.Dataplane.Routes;
using BgpRoute = Routing.Bgp.Rib.Route;
using KernelRoute = Routing.Dataplane.Routes.Route;

namespace Routing.Agent.Routes;

/// <summary>
/// The node's kernel routes that follow from BGP and IPAM, kept in a <see cref="RouteTable"/> (the
/// agent's route protocol, so nothing else is touched): a route to every prefix the Loc-RIB's best
/// path has from a peer, via that path's next hop (via each next hop of the paths equal to it,
/// ECMP), and a blackhole route for each of this node's own
/// address blocks (traffic to a block's unused addresses stops here rather than looping towards the
/// default route). An own block wins over a learned route to the same prefix.
/// </summary>
public sealed class KernelRoutes
{
    private readonly RouteTable table;
    private readonly Lock gate = new();
    private readonly Dictionary<Prefix, (BgpRoute Best, IReadOnlyList<BgpRoute> Multipath)> learned = [];
    private HashSet<Prefix> ownBlocks = [];
    private Dictionary<Prefix, KernelRoute> tunnelled = [];
    private int generation;

    public KernelRoutes(RouteTable table)
    {
        ArgumentNullException.ThrowIfNull(table);
        this.table = table;
    }

    /// <summary>
    /// Follows a new speaker's Loc-RIB from now on (call it before the speaker has peers). Routes
    /// learned through the previous speaker are dropped: its sessions are gone.
    /// </summary>
    public void Attach(Speaker speaker)
    {
        ArgumentNullException.ThrowIfNull(speaker);
        int current;
        Prefix[] stale;
        lock (gate)
        {
            current = ++generation;
            stale = [.. learned.Keys];
            learned.Clear();
            foreach (var prefix in stale)
            {
                Refresh(prefix);
            }
        }

        // Outside the gate: the Loc-RIB calls back under its own lock, which then takes this one.
        speaker.LocRib.Subscribe(changes => OnChanges(current, changes));
    }

    /// <summary>This node's address blocks (its confirmed IPAM affinities).</summary>
    public void SetOwnBlocks(IEnumerable<Prefix> blocks)
    {
        ArgumentNullException.ThrowIfNull(blocks);
        var next = blocks.ToHashSet();
        lock (gate)
        {
            var changed = next.Except(ownBlocks).Concat(ownBlocks.Except(next)).ToArray();
            ownBlocks = next;
            foreach (var prefix in changed)
            {
                Refresh(prefix);
            }
        }
    }

    /// <summary>
    /// Routes to other nodes' blocks over a tunnel (or direct, for VXLAN/IPIP CrossSubnet): they win
    /// over what BGP learned for the same block; an own block still wins over them.
    /// </summary>
    public void SetTunnelRoutes(IEnumerable<KernelRoute> routes)
    {
        ArgumentNullException.ThrowIfNull(routes);
        var next = routes.ToDictionary(r => Prefix.Create(r.Destination.BaseAddress, r.Destination.PrefixLength));
        lock (gate)
        {
            var changed = next.Where(r => !tunnelled.TryGetValue(r.Key, out var old) || !old.Equals(r.Value)).Select(r => r.Key)
                .Concat(tunnelled.Keys.Where(k => !next.ContainsKey(k))).ToArray();
            tunnelled = next;
            foreach (var prefix in changed)
            {
                Refresh(prefix);
            }
        }
    }

    /// <summary>
    /// The kernel route for one prefix, or null for none: a blackhole for an own block, else a
    /// unicast route via a peer's best path (never one this speaker originates).
    /// </summary>
    public static KernelRoute? Desired(Prefix prefix, bool ownBlock, BgpRoute? best) => Desired(prefix, ownBlock, best, []);

    /// <summary>
    /// As <see cref="Desired(Prefix, bool, BgpRoute?)"/>, and when several peers' paths tie with the
    /// best (<paramref name="multipath"/>, see <see cref="Multipath"/>) a multipath route with a next hop per path.
    /// </summary>
    public static KernelRoute? Desired(Prefix prefix, bool ownBlock, BgpRoute? best, IReadOnlyList<BgpRoute> multipath)
    {
        ArgumentNullException.ThrowIfNull(multipath);
        var destination = new IPNetwork(prefix.Address, prefix.Length);
        if (ownBlock)
        {
            return new KernelRoute { Destination = destination, Type = RouteType.Blackhole };
        }

        if (best is null || best.Source.IsLocal || best.NextHop.Equals(IPAddress.Any) || best.NextHop.Equals(IPAddress.IPv6Any))
        {
            return null;
        }

        IPAddress[] hops = [.. multipath.Select(p => p.NextHop).Where(Usable).Distinct()];
        return hops.Length > 1
            ? KernelRoute.Multipath(destination, [.. hops.Select(h => new NextHop(h))])
            : new KernelRoute { Destination = destination, Gateway = best.NextHop };
    }

    private static bool Usable(IPAddress nextHop) => !nextHop.Equals(IPAddress.Any) && !nextHop.Equals(IPAddress.IPv6Any);

    /// <summary>
    /// The CNI plugin's route to a pod: to one address, straight out of an interface, with no next
    /// hop. The agent's own routes never have that shape (they go via a next hop, or are
    /// blackholes), so its route table leaves these to the plugin, which makes them at ADD; the
    /// kernel removes them with the pod's interface at DEL.
    /// </summary>
    public static bool IsPodRoute(KernelRoute route)
    {
        ArgumentNullException.ThrowIfNull(route);
        var host = route.Family == System.Net.Sockets.AddressFamily.InterNetworkV6 ? 128 : 32;
        return route.Type == RouteType.Unicast && route.Gateway is null && route.NextHops.IsEmpty && route.Destination.PrefixLength == host;
    }

    private void OnChanges(int from, IReadOnlyList<BestRouteChange> changes)
    {
        lock (gate)
        {
            if (from != generation)
            {
                return;
            }

            foreach (var change in changes)
            {
                if (change.Best is { Source.IsLocal: false } best)
                {
                    learned[change.Prefix] = (best, change.Multipath);
                }
                else if (!learned.Remove(change.Prefix))
                {
                    continue;
                }

                Refresh(change.Prefix);
            }
        }
    }

    private void Refresh(Prefix prefix)
    {
        var own = ownBlocks.Contains(prefix);
        if ((!own && tunnelled.TryGetValue(prefix, out var tunnel) ? tunnel : (learned.TryGetValue(prefix, out var paths) ? Desired(prefix, own, paths.Best, paths.Multipath) : Desired(prefix, own, null))) is { } route)
        {
            table.Set(route);
        }
        else
        {
            table.Remove(new KernelRoute { Destination = new IPNetwork(prefix.Address, prefix.Length) });
        }
    }
}
