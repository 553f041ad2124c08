using Routing.Dataplane.Routes;

namespace Routing.Agent.Health;

/// <summary>
/// The dataplane part of readiness: the kernel's routes were made to match the wanted ones once, and
/// the last apply had no request refused. Before the first sync the agent waits for its peers'
/// tables (the agent tells when that is over): shown as such.
/// </summary>
public sealed class KernelRoutesReadiness
{
    private readonly Lock gate = new();
    private RouteTableApplyResult? lastSync;
    private RouteTableApplyResult? last;

    private readonly Func<bool> syncStarted;

    public KernelRoutesReadiness(RouteTable routeTable, Func<bool> syncStarted)
    {
        this.syncStarted = syncStarted;
        ArgumentNullException.ThrowIfNull(routeTable);
        routeTable.Applied += Record;
    }

    public HealthCondition Condition()
    {
        lock (gate)
        {
            if (lastSync is null)
            {
                return HealthCondition.Down(syncStarted() ? "first sync with the kernel running" : "waiting for the peers' initial tables before the first sync");
            }

            if (last is { Errors.Count: > 0 } failed)
            {
                var first = failed.Errors[0];
                return HealthCondition.Down($"{failed.Errors.Count} route(s) refused by the kernel, first: {first.Message}");
            }

            return HealthCondition.Up($"in sync, last apply changed {last!.Changed} route(s) in {last.Duration.TotalMilliseconds:0.#} ms");
        }
    }

    private void Record(RouteTableApplyResult result)
    {
        lock (gate)
        {
            last = result;
            if (result.FullResync)
            {
                lastSync = result;
            }
        }
    }
}
