using System.Net;

namespace Routing.Dataplane.Routes;

/// <summary>What identifies a route in the kernel: its table, destination and metric (and family, by the destination).</summary>
public readonly record struct RouteKey(uint Table, IPNetwork Destination, uint Metric)
{
    public override string ToString() => $"{Destination} table {Table} metric {Metric}";
}
