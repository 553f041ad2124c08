using System.Diagnostics.Metrics;
using Routing.Agent.Health;
using Routing.Agent.Peering;
using Routing.Bgp.Fsm;
using Routing.Dataplane.Routes;

namespace Routing.Agent.Metrics;

/// <summary>
/// The agent's instruments, in Prometheus' naming: BGP session states and prefix counts, kernel
/// route applies (durations, changes, refusals, repairs), IPAM utilisation of this node's blocks
/// and pools, and readiness per part. Other parts of the agent add theirs to <see cref="Meter"/>.
/// </summary>
public sealed class AgentMetrics : IDisposable
{
    private readonly Histogram<double> routeApplyDuration;
    private readonly Counter<long> routeChanges;
    private readonly Counter<long> routeApplyErrors;

    public AgentMetrics(BgpService bgp, AgentHealth health, IpamUsage? ipam = null)
    {
        ArgumentNullException.ThrowIfNull(bgp);
        ArgumentNullException.ThrowIfNull(health);
        Meter.CreateObservableGauge("routing_bgp_session_established", () => Peers(bgp, (_, s) => s.State == BgpState.Established ? 1 : 0), description: "1 when the BGP session is Established, else 0");
        Meter.CreateObservableGauge("routing_bgp_session_state", () => Peers(bgp, (_, s) => (int)s.State + 1), description: "The session's RFC 4271 state: 1 Idle, 2 Connect, 3 Active, 4 OpenSent, 5 OpenConfirm, 6 Established");
        Meter.CreateObservableGauge("routing_bgp_prefixes_received", () => Peers(bgp, (_, s) => s.PrefixesReceived), description: "Prefixes the peer sent in this session (Adj-RIB-In)");
        Meter.CreateObservableGauge("routing_bgp_prefixes_accepted", () => Peers(bgp, (_, s) => s.PrefixesAccepted), description: "Prefixes from the peer accepted by import policy");
        Meter.CreateObservableGauge("routing_bgp_prefixes_advertised", () => Peers(bgp, (_, s) => s.PrefixesAdvertised), description: "Prefixes advertised to the peer (Adj-RIB-Out)");
        Meter.CreateObservableCounter("routing_bgp_established_transitions_total", () => Peers(bgp, (_, s) => s.EstablishedTransitions), description: "Times the session reached Established");
        Meter.CreateObservableGauge("routing_bgp_loc_rib_prefixes", () => bgp.Speaker is { } s ? [new Measurement<int>(s.LocRib.Count)] : Array.Empty<Measurement<int>>(), description: "Prefixes in the Loc-RIB");
        Meter.CreateObservableGauge("routing_ready", () => health.Readiness().Select(p => new Measurement<int>(p.Condition.Ready ? 1 : 0, new KeyValuePair<string, object?>("component", p.Name))), description: "1 when the part of the agent is ready (see /readyz)");
        routeApplyDuration = Meter.CreateHistogram("routing_route_apply_duration_seconds", unit: "s", description: "Time to apply route changes to the kernel (one batch)", advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10] });
        routeChanges = Meter.CreateCounter<long>("routing_route_changes_total", description: "Kernel route changes applied, by operation");
        routeApplyErrors = Meter.CreateCounter<long>("routing_route_apply_errors_total", description: "Route requests the kernel refused");
        if (ipam is not null)
        {
            Meter.CreateObservableGauge("routing_ipam_node_blocks", () => ipam.Node(n => n.Blocks), description: "Address blocks affine to this node, by pool");
            Meter.CreateObservableGauge("routing_ipam_node_addresses_in_use", () => ipam.Node(n => n.AddressesInUse), description: "Addresses allocated to this node's workloads, by pool");
            Meter.CreateObservableGauge("routing_ipam_node_addresses_free", () => ipam.Node(n => n.FreeInBlocks), description: "Free addresses in this node's blocks, by pool");
            Meter.CreateObservableGauge("routing_ipam_pool_addresses", () => ipam.Pools(p => (double)p.Capacity), description: "Addresses in the pool");
            Meter.CreateObservableGauge("routing_ipam_pool_addresses_allocated", () => ipam.Pools(p => p.Allocated), description: "Addresses of the pool allocated, cluster-wide");
        }
    }

    public Meter Meter { get; } = new("Routing.Agent");

    /// <summary>Follows the kernel route applies of <paramref name="routeTable"/>.</summary>
    public void Follow(RouteTable routeTable)
    {
        ArgumentNullException.ThrowIfNull(routeTable);
        routeTable.Applied += result =>
        {
            var resync = new KeyValuePair<string, object?>("full_resync", result.FullResync ? "true" : "false");
            routeApplyDuration.Record(result.Duration.TotalSeconds, resync);
            routeChanges.Add(result.Added, new KeyValuePair<string, object?>("operation", "add"));
            routeChanges.Add(result.Replaced, new KeyValuePair<string, object?>("operation", "replace"));
            routeChanges.Add(result.Deleted, new KeyValuePair<string, object?>("operation", "delete"));
            routeApplyErrors.Add(result.Errors.Count);
        };
        Meter.CreateObservableCounter("routing_route_repairs_total", () => routeTable.Repairs, description: "Routes put back after something else changed or removed them");
        Meter.CreateObservableGauge("routing_routes_desired", () => routeTable.Desired.Count, description: "Routes the agent wants in the kernel");
    }

    public void Dispose() => Meter.Dispose();

    private static IEnumerable<Measurement<int>> Peers(BgpService bgp, Func<PlannedPeer, Bgp.Sessions.PeerStatus, int> value)
    {
        if (bgp.Plan is not { } plan || bgp.Speaker is not { } speaker)
        {
            yield break;
        }

        foreach (var planned in plan.Peers)
        {
            if (speaker.FindPeer(planned.Config.PeerAddress)?.Status is { } status)
            {
                yield return new Measurement<int>(
                    value(planned, status),
                    new KeyValuePair<string, object?>("peer", planned.Config.PeerAddress.ToString()),
                    new KeyValuePair<string, object?>("peer_type", planned.Type),
                    new KeyValuePair<string, object?>("peer_as", status.PeerAs));
            }
        }
    }
}
