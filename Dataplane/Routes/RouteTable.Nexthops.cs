using Routing.Dataplane.Monitor;
using Routing.Dataplane.Native;
using Routing.Dataplane.Netlink;
using Routing.Dataplane.Nexthops;

namespace Routing.Dataplane.Routes;

/// <summary>
/// Routes via a gateway go through nexthop objects of the table's protocol, one per gateway, device
/// and onlink flag (as FRR's zebra does): the kernel checks the gateway once for all of them instead
/// of once per route, and when no wanted route goes through a nexthop any more, deleting it takes
/// every route through it along in one request. Dumps still show each route's gateway and device
/// (net.ipv4.nexthop_compat_mode, on by default), so diffs read them as before.
/// </summary>
public sealed partial class RouteTable
{
    // The nexthops of ours the table knows (applying thread only), by the via routes name and by id.
    private readonly Dictionary<RouteVia, uint> nexthopOf = [];
    private readonly Dictionary<uint, List<RouteVia>> viasOf = [];
    private HashSet<uint> takenIds = [];
    private uint nextId;
    private bool nexthopsRefused;

    // Wanted routes per via (under gate): a nexthop no wanted route goes through can go, with its routes.
    private Dictionary<RouteVia, int> wantedVia = [];

    // The via NexthopFor last answered for: a batch's routes through one gateway share its object.
    private RouteVia lastVia;
    private uint lastNexthop;

    // Vias no nexthop could be made for since the last listing (an unreachable gateway): their routes
    // name the gateway, without asking the kernel again for each.
    private readonly HashSet<RouteVia> refusedVias = [];

    // Planned in one apply: nexthops to delete, with the keys of ours that go with them.
    private readonly Dictionary<uint, List<PackedRouteKey>> flushes = [];

    private IKernelNexthops? Nexthops => options.NexthopObjects && !nexthopsRefused ? kernel.Nexthops : null;

    /// <summary>Nexthop objects of the table's own, by id (on the applying thread, or between applies).</summary>
    public IReadOnlyCollection<uint> NexthopIds => viasOf.Keys;

    private static void CountVia(Dictionary<RouteVia, int> counts, Route route, int delta)
    {
        if (RouteVia.TryOf(route, out var via))
        {
            counts[via] = counts.GetValueOrDefault(via) + delta;
        }
    }

    private static Dictionary<RouteVia, int> CountVias(Dictionary<PackedRouteKey, Route> routes)
    {
        // Routes through one gateway come in runs: one lookup per run.
        var counts = new Dictionary<RouteVia, int>();
        RouteVia last = default;
        var run = 0;
        foreach (var route in routes.Values)
        {
            if (!RouteVia.TryOf(route, out var via))
            {
                continue;
            }

            if (run > 0 && via != last)
            {
                counts[last] = counts.GetValueOrDefault(last) + run;
                run = 0;
            }

            last = via;
            run++;
        }

        if (run > 0)
        {
            counts[last] = counts.GetValueOrDefault(last) + run;
        }

        return counts;
    }

    /// <summary>At a full resync: the kernel's nexthops again (someone may have deleted or added some).</summary>
    private void ListNexthops()
    {
        if (Nexthops is not { } kernelNexthops)
        {
            return;
        }

        var made = options.Tables is null ? null : viasOf.Keys.ToHashSet();
        nexthopOf.Clear();
        viasOf.Clear();
        refusedVias.Clear();
        lastNexthop = 0;
        var (taken, gateways) = kernelNexthops.List();
        takenIds = taken;
        foreach (var nexthop in gateways)
        {
            // A nexthop is for routes of its gateway's family: a table of the other family leaves it be.
            // A table of only some of the kernel's tables takes only those it made: another table's
            // instance of its protocol may route through the others.
            if (nexthop.Protocol == options.Protocol && (made is null || made.Contains(nexthop.Id))
                && (options.Family is null || options.Family == nexthop.Gateway.AddressFamily))
            {
                Remember(new RouteVia(nexthop.Gateway, nexthop.InterfaceIndex, nexthop.OnLink), nexthop.Id);
            }
        }

    }

    /// <summary>The nexthop <paramref name="route"/> goes through, created if need be; 0: none (the route names its gateway).</summary>
    private uint NexthopFor(Route route)
    {
        if (Nexthops is not { } kernelNexthops || !RouteVia.TryOf(route, out var via))
        {
            return 0;
        }

        if (lastNexthop != 0 && via == lastVia)
        {
            return lastNexthop;
        }

        if (nexthopOf.TryGetValue(via, out var id))
        {
            (lastVia, lastNexthop) = (via, id);
            return id;
        }

        if (refusedVias.Contains(via))
        {
            return 0;
        }

        id = Create(kernelNexthops, via);
        if (id == 0)
        {
            refusedVias.Add(via);
        }
        else
        {
            (lastVia, lastNexthop) = (via, id);
        }

        return id;
    }

    private uint Create(IKernelNexthops kernelNexthops, RouteVia via)
    {
        // A nexthop names its device: where the kernel would send to the gateway, unless the route says.
        var device = via.InterfaceIndex != 0 ? via.InterfaceIndex : via.OnLink ? 0 : kernelNexthops.DeviceTowards(via.Gateway);
        if (device == 0)
        {
            return 0;
        }

        var resolved = via with { InterfaceIndex = device };
        if (nexthopOf.TryGetValue(resolved, out var id))
        {
            Remember(via, id);
            return id;
        }

        for (var attempt = 0; attempt < 2; attempt++)
        {
            id = FreeId();
            try
            {
                kernelNexthops.Add(new Nexthop(id, via.Gateway, device, via.OnLink, options.Protocol));
                takenIds.Add(id);
                Remember(resolved, id);
                Remember(via, id);
                return id;
            }
            catch (NetlinkException e) when (e.Errno == Errno.EEXIST)
            {
                // Someone took the id since the table last listed: list again and pick another.
                takenIds.Add(id);
            }
            catch (NetlinkException e) when (e.Errno is Errno.EOPNOTSUPP or Errno.EAFNOSUPPORT or Errno.EPROTONOSUPPORT)
            {
                // A kernel without nexthop objects (before 5.3): routes name their gateways, as before.
                nexthopsRefused = true;
                LogNexthopsRefused(e.Message);
                return 0;
            }
            catch (NetlinkException e)
            {
                // This gateway only (unreachable, a device going away): its routes name it, and the kernel says why.
                LogNexthopFailed(e.Message);
                return 0;
            }
        }

        return 0;
    }

    /// <summary>The nexthop of ours a route in the kernel goes through as far as the table knows; 0 if none.</summary>
    private uint KnownNexthop(Route actual)
    {
        if (actual.NexthopId != 0)
        {
            return actual.NexthopId;
        }

        if (Nexthops is null || !RouteVia.TryOf(actual, out var via))
        {
            return 0;
        }

        if (nexthopOf.TryGetValue(via, out var id))
        {
            return id;
        }

        // A route that left its device to the kernel, its nexthop listed since (a resync) under the
        // device: the one nexthop of ours for its gateway, remembered under the route's via too.
        if (via.InterfaceIndex == 0 && NexthopsOfGateway(actual) is [var only])
        {
            Remember(via, only);
            return only;
        }

        return 0;
    }

    /// <summary>
    /// Whether no wanted route goes through nexthop <paramref name="id"/> (one of ours). A wanted route
    /// that leaves its device to the kernel counts for every nexthop of its gateway: which one the
    /// kernel would pick is not worth a lookup here, and keeping one too many is harmless.
    /// </summary>
    private bool Unwanted(uint id)
    {
        if (!viasOf.TryGetValue(id, out var vias))
        {
            return false;
        }

        lock (gate)
        {
            foreach (var via in vias)
            {
                if (wantedVia.GetValueOrDefault(via) > 0 || wantedVia.GetValueOrDefault(via with { InterfaceIndex = 0 }) > 0)
                {
                    return false;
                }
            }
        }

        return true;
    }

    /// <summary>Deletes the nexthops planned to go, and with them their routes; then, after a full resync, any other of ours nothing wants.</summary>
    private int DeleteNexthops(bool full)
    {
        var deleted = 0;
        var gone = new HashSet<uint>();
        try
        {
            foreach (var (id, keys) in flushes)
            {
                // Gone already (ENOENT) or deleted now: either way its routes went with it.
                if (!TryDelete(id))
                {
                    continue;
                }

                foreach (var key in keys)
                {
                    kernelOwned.Remove(key);
                    deleted++;
                }

                gone.Add(id);
            }
        }
        finally
        {
            flushes.Clear();
        }

        if (full && Nexthops is not null)
        {
            foreach (var id in viasOf.Keys)
            {
                if (!gone.Contains(id) && Unwanted(id) && TryDelete(id))
                {
                    gone.Add(id);
                }
            }
        }

        Forgotten(gone);
        return deleted;
    }

    private bool TryDelete(uint id)
    {
        try
        {
            Nexthops?.Delete(id);
            return true;
        }
        catch (NetlinkException e)
        {
            // Its routes may be there or not: a dump will tell.
            LogNexthopFailed(e.Message);
            RequestResync();
            return false;
        }
    }

    /// <summary>
    /// After nexthops <paramref name="ids"/> went: every route the table thinks goes through one went
    /// with it (the kernel says nothing of them), including one wanted again since it was planned to
    /// go. One walk over the kernel's view for all of them.
    /// </summary>
    private void Forgotten(HashSet<uint> ids)
    {
        if (ids.Count == 0)
        {
            return;
        }

        List<PackedRouteKey>? gone = null;
        foreach (var (key, route) in kernelOwned)
        {
            if (ids.Contains(KnownNexthop(route)))
            {
                (gone ??= []).Add(key);
            }
        }

        foreach (var id in ids)
        {
            Forget(id);
        }

        if (gone is null)
        {
            return;
        }

        foreach (var key in gone)
        {
            kernelOwned.Remove(key);
        }

        lock (gate)
        {
            foreach (var key in gone)
            {
                if (desired.ContainsKey(key))
                {
                    dirty.Add(key);
                }
            }

            signal.TrySetResult();
        }
    }

    private void ObserveNexthop(NexthopChange change)
    {
        // Ours deleted by someone else: the kernel took its routes along without a word. A dump tells which.
        if (change.Removed && viasOf.ContainsKey(change.Id))
        {
            Forget(change.Id);
            RequestResync();
        }
    }

    /// <summary>Our nexthops with the gateway and onlink flag of <paramref name="route"/> (any device).</summary>
    private List<uint> NexthopsOfGateway(Route route)
    {
        var found = new List<uint>();
        foreach (var (id, vias) in viasOf)
        {
            if (vias.Exists(v => v.OnLink == route.OnLink && v.Gateway.Equals(route.Gateway)))
            {
                found.Add(id);
            }
        }

        return found;
    }

    /// <summary>
    /// A route through a nexthop of ours as the table wants it compared: with the nexthop's gateway,
    /// device and flag where the kernel left them out (nexthop_compat_mode off).
    /// </summary>
    private Route WithNexthopDetails(Route route)
    {
        if (route.NexthopId == 0 || route.Gateway is not null || !viasOf.TryGetValue(route.NexthopId, out var vias))
        {
            return route;
        }

        var via = vias.Find(v => v.InterfaceIndex != 0);
        return via.Gateway is null ? route : route with { Gateway = via.Gateway, InterfaceIndex = via.InterfaceIndex, OnLink = via.OnLink };
    }

    private void Remember(RouteVia via, uint id)
    {
        nexthopOf[via] = id;
        if (!viasOf.TryGetValue(id, out var vias))
        {
            viasOf[id] = vias = [];
        }

        if (!vias.Contains(via))
        {
            vias.Add(via);
        }
    }

    private void Forget(uint id)
    {
        lastNexthop = 0;
        if (viasOf.Remove(id, out var vias))
        {
            foreach (var via in vias)
            {
                nexthopOf.Remove(via);
            }
        }

        takenIds.Remove(id);
    }

    // Ids only go up: a late notification of a deleted nexthop never names a new one.
    private uint FreeId()
    {
        do
        {
            nextId = nextId == uint.MaxValue ? 1 : nextId + 1;
        }
        while (takenIds.Contains(nextId));

        return nextId;
    }
}
