using System.Diagnostics;
using Routing.Dataplane.Monitor;
using Routing.Dataplane.Native;
using Routing.Dataplane.Netlink;

namespace Routing.Dataplane.Routes;

public sealed partial class RouteTable
{
    /// <summary>Dumps the kernel's routes of this protocol and makes them the desired ones, in one batch.</summary>
    public RouteTableApplyResult Apply()
    {
        RequestResync();
        return ApplyPending();
    }

    /// <summary>
    /// Applies what changed since the last apply: the keys made dirty by <see cref="Set(Route)"/>,
    /// <see cref="Remove(RouteKey)"/> and notifications, or everything after a resync request.
    /// Notifications waiting in the monitor are taken in first.
    /// </summary>
    public RouteTableApplyResult ApplyPending()
    {
        lock (applyGate)
        {
            var outcome = ApplyOnce(mayGoDeaf: true, out var deaf);
            if (!deaf)
            {
                return outcome;
            }

            // Whatever changed while the monitor was deaf (someone's `ip route del`) is in the kernel's
            // tables, not in any notification: one dump finds it, and makes good what it finds.
            RequestResync();
            var check = ApplyOnce(mayGoDeaf: false, out _);
            return new RouteTableApplyResult(
                true,
                outcome.Added + check.Added,
                outcome.Replaced + check.Replaced,
                outcome.Deleted + check.Deleted,
                [.. outcome.Errors, .. check.Errors],
                check.Conflicts,
                outcome.Duration + check.Duration);
        }
    }

    private RouteTableApplyResult ApplyOnce(bool mayGoDeaf, out bool deaf)
    {
        DrainChanges();
        var clock = Stopwatch.StartNew();
        bool full;
        HashSet<PackedRouteKey> keys;
        Dictionary<PackedRouteKey, Route> wanted;
        lock (gate)
        {
            full = resyncRequested;
            resyncRequested = false;
            keys = dirty;
            dirty = [];
            wanted = full ? new Dictionary<PackedRouteKey, Route>(desired) : keys.Where(desired.ContainsKey).ToDictionary(k => k, k => desired[k]);
        }

        if (full)
        {
            ListNexthops();
        }

        var known = kernelOwned.Count;
        var (batch, batchKeys) = full ? Resync(wanted) : Plan(keys, wanted);
        deaf = mayGoDeaf && ownMonitor is not null && batch.Count >= options.DeafBatchSize && batch.Count * 4L >= Math.Max(known, kernelOwned.Count);
        if (deaf)
        {
            ownMonitor!.Leave(MonitorGroups.Routes);
        }

        NetlinkBatchResult result;
        try
        {
            result = batch.Count == 0 ? new NetlinkBatchResult(0, []) : kernel.Send(batch);
        }
        catch
        {
            // What went in is unknown (and, deaf, what others did): a dump will tell.
            flushes.Clear();
            RequestResync();
            throw;
        }
        finally
        {
            if (deaf)
            {
                ownMonitor!.Join(MonitorGroups.Routes);
            }
        }

        var flushed = DeleteNexthops(full);
        var outcome = Record(batch, batchKeys, result, full, clock, flushed);
        if (outcome.Changed > 0 || outcome.Errors.Count > 0)
        {
            LogApplied(outcome.Added, outcome.Replaced, outcome.Deleted, outcome.Errors.Count, outcome.Conflicts.Count, full, clock.Elapsed.TotalMilliseconds);
            Applied?.Invoke(outcome);
        }

        return outcome;
    }

    /// <summary>
    /// After a dump every key that can need work is wanted or ours in the kernel: the wanted routes
    /// are walked with the kernel's route for each, then the kernel's that are not wanted. Walking
    /// the entries rather than a set of keys saves a lookup per route: at a million routes the
    /// lookups (cache misses, all of them) are most of the diff.
    /// </summary>
    private (RouteBatch Batch, List<PackedRouteKey> Keys) PlanAll(Dictionary<PackedRouteKey, Route> wanted)
    {
        var batch = new RouteBatch();
        var batchKeys = new List<PackedRouteKey>();
        foreach (var (key, route) in wanted)
        {
            kernelOwned.TryGetValue(key, out var actual);
            Decide(key, route, actual, batch, batchKeys);
        }

        foreach (var (key, actual) in kernelOwned)
        {
            if (!wanted.ContainsKey(key))
            {
                Decide(key, null, actual, batch, batchKeys);
            }
        }

        return (batch, batchKeys);
    }

    /// <summary>What one key needs: added, replaced, deleted, or nothing.</summary>
    private void Decide(PackedRouteKey key, Route? route, Route? actual, RouteBatch batch, List<PackedRouteKey> batchKeys)
    {
        if (route is not null)
        {
            if (actual is null)
            {
                // A key someone took from us is taken back; a key another owner held first is theirs.
                if (takenFromUs.Contains(key))
                {
                    batch.Replace(route, NexthopFor(route));
                }
                else
                {
                    batch.Add(route, NexthopFor(route));
                }
            }
            else if (!route.IsSatisfiedBy(actual))
            {
                batch.Replace(route, NexthopFor(route));
            }
            else
            {
                return;
            }
        }
        else if (actual is not null)
        {
            // As we saw it, next hop included: if another writer of our protocol (the CNI plugin
            // wiring a pod that reuses the address) has put a route under the key since, the delete
            // misses (ESRCH, taken as gone) instead of removing that route; the monitor's event for
            // it brings the next decision. A route through a nexthop of ours that nothing wanted goes
            // through any more goes with the nexthop, in one request for all of them.
            var nexthop = KnownNexthop(actual);
            if (nexthop != 0 && Unwanted(nexthop))
            {
                if (!flushes.TryGetValue(nexthop, out var flushed))
                {
                    flushes[nexthop] = flushed = [];
                }

                flushed.Add(key);
                return;
            }

            batch.Delete(actual, nexthop);
        }
        else
        {
            return;
        }

        batchKeys.Add(key);
    }

    private (RouteBatch Batch, List<PackedRouteKey> Keys) Plan(IEnumerable<PackedRouteKey> keys, Dictionary<PackedRouteKey, Route> wanted)
    {
        var batch = new RouteBatch();
        var batchKeys = new List<PackedRouteKey>();
        foreach (var key in keys)
        {
            wanted.TryGetValue(key, out var route);
            kernelOwned.TryGetValue(key, out var actual);
            Decide(key, route, actual, batch, batchKeys);
        }

        return (batch, batchKeys);
    }

    private RouteTableApplyResult Record(RouteBatch batch, List<PackedRouteKey> keys, NetlinkBatchResult result, bool full, Stopwatch clock, int flushed)
    {
        var errors = new List<NetlinkRequestError>();
        var failed = new Dictionary<int, NetlinkRequestError>();
        foreach (var error in result.Errors)
        {
            failed[error.Index] = error;
        }

        int added = 0, replaced = 0, deleted = flushed;
        var retryKeys = new List<PackedRouteKey>();
        var plainDeletes = new RouteBatch();
        var plainKeys = new List<PackedRouteKey>();
        for (var i = 0; i < batch.Count; i++)
        {
            var key = keys[i];
            var kind = batch.KindOf(i);
            if (failed.TryGetValue(i, out var error))
            {
                if (kind == RouteChangeKind.Add && error.Errno == Errno.EEXIST)
                {
                    // After a dump the holder is not ours: another owner's route. Between dumps our view
                    // may lag the monitor, so look again before calling it a conflict.
                    if (full)
                    {
                        if (conflicts.Add(key))
                        {
                            LogConflict(key.ToString());
                        }
                    }
                    else
                    {
                        RequestResync();
                    }

                    continue;
                }

                if (kind == RouteChangeKind.Delete && error.Errno == Errno.ESRCH)
                {
                    // The table guessed how the kernel holds the route's next hop (it keeps no nexthop id
                    // per route): by the nexthop it guessed, while the route names its gateway (one of
                    // ours from before nexthops), or by the gateway, while the route goes through
                    // a nexthop of ours for it (another device). Once more each other way; a delete
                    // naming a gateway or a nexthop never takes another owner's device route.
                    if (batch[i].NexthopId == 0 && RouteVia.TryOf(batch[i], out _))
                    {
                        var tried = batch.NexthopIdOf(i);
                        if (tried != 0)
                        {
                            plainDeletes.Delete(batch[i]);
                            plainKeys.Add(key);
                        }

                        foreach (var other in NexthopsOfGateway(batch[i]))
                        {
                            if (other != tried)
                            {
                                plainDeletes.Delete(batch[i], other);
                                plainKeys.Add(key);
                            }
                        }

                        if (plainKeys.Count > 0 && plainKeys[^1] == key)
                        {
                            continue;
                        }
                    }

                    kernelOwned.Remove(key);
                    continue;
                }

                LogRequestFailed(error.Message);
                errors.Add(error);
                retryKeys.Add(key);
                continue;
            }

            conflicts.Remove(key);
            if ((repaired.Remove(key) | takenFromUs.Remove(key)) && kind != RouteChangeKind.Delete)
            {
                Repairs++;
            }

            switch (kind)
            {
                case RouteChangeKind.Delete:
                    kernelOwned.Remove(key);
                    deleted++;
                    break;
                case RouteChangeKind.Add:
                    kernelOwned[key] = batch[i];
                    added++;
                    break;
                default:
                    kernelOwned[key] = batch[i];
                    replaced++;
                    break;
            }
        }

        if (plainDeletes.Count > 0)
        {
            // One key may have several tries: deleted if one went through, refused if one failed otherwise.
            var again = kernel.Send(plainDeletes);
            var refused = again.Errors.ToDictionary(e => e.Index);
            var outcomes = new Dictionary<PackedRouteKey, (bool Deleted, NetlinkRequestError? Error)>();
            for (var i = 0; i < plainDeletes.Count; i++)
            {
                var (was, failure) = outcomes.GetValueOrDefault(plainKeys[i]);
                refused.TryGetValue(i, out var error);
                outcomes[plainKeys[i]] = (was || error is null, failure ?? (error is { Errno: not Errno.ESRCH } ? error : null));
            }

            foreach (var (key, (wasDeleted, failure)) in outcomes)
            {
                if (!wasDeleted && failure is not null)
                {
                    LogRequestFailed(failure.Message);
                    errors.Add(failure);
                    retryKeys.Add(key);
                    continue;
                }

                deleted += wasDeleted ? 1 : 0;
                kernelOwned.Remove(key);
            }
        }

        if (retryKeys.Count > 0)
        {
            lock (gate)
            {
                retry.UnionWith(retryKeys);
                retryAt ??= options.TimeProvider.GetUtcNow() + options.RetryDelay;
            }
        }

        return new RouteTableApplyResult(full, added, replaced, deleted, errors, [.. conflicts.Select(k => k.ToRouteKey())], clock.Elapsed);
    }

    /// <summary>Takes in the notifications waiting in the monitor (the applying thread only).</summary>
    private void DrainChanges()
    {
        if (changes is null)
        {
            return;
        }

        while (changes.TryRead(out var change))
        {
            Observe(change);
        }
    }

    private void Observe(NetlinkChange change)
    {
        switch (change)
        {
            case RouteChange { Route: var route, Removed: var removed }:
                ObserveRoute(WithNexthopDetails(route), removed);
                break;

            case NexthopChange nexthop:
                ObserveNexthop(nexthop);
                break;

            // IPv4 routes through a device that goes down or away are flushed without notifications.
            case LinkChange { Removed: true } or LinkChange { Link.IsUp: false }:
            case MonitorOverflow:
                RequestResync();
                break;
        }
    }

    private void ObserveRoute(Route route, bool removed)
    {
        if (!Manages(route))
        {
            return;
        }

        var key = PackedKeyOf(route);
        Route? wanted;
        lock (gate)
        {
            desired.TryGetValue(key, out wanted);
        }

        if (route.Protocol == options.Protocol)
        {
            if (removed)
            {
                kernelOwned.Remove(key);
                if (wanted is null)
                {
                    return;
                }

                repaired.Add(key);
            }
            else
            {
                kernelOwned[key] = route;
                if (wanted is not null && wanted.IsSatisfiedBy(route))
                {
                    return;
                }

                // Ours changed under us (ip route change), or a route with our protocol we do not want.
                if (wanted is not null)
                {
                    repaired.Add(key);
                }
            }
        }
        else if (removed)
        {
            // The other owner let go: the key may be ours to take now.
            if (!conflicts.Remove(key))
            {
                return;
            }
        }
        else if (kernelOwned.Remove(key))
        {
            // Our route was replaced by someone else's (ip route replace without our protocol): take it back.
            takenFromUs.Add(key);
        }
        else
        {
            return;
        }

        lock (gate)
        {
            dirty.Add(key);
            signal.TrySetResult();
        }
    }
}
