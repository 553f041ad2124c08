using System.Collections.Immutable;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Routing.Dataplane.Routes;

/// <summary>
/// A kernel route, as the agent wants it or as a dump shows it. A unicast route goes via a
/// <see cref="Gateway"/> and/or out of a device (<see cref="InterfaceIndex"/>), or over several
/// <see cref="NextHops"/> (ECMP); blackhole and unreachable routes have neither.
/// </summary>
public sealed record Route
{
    public required IPNetwork Destination { get; init; }

    public RouteType Type { get; init; } = RouteType.Unicast;

    public uint Table { get; init; } = RouteTables.Main;

    /// <summary>Who installed it (<see cref="RouteProtocols"/>).</summary>
    public byte Protocol { get; init; } = RouteProtocols.Boot;

    /// <summary>Null: what <c>ip route</c> would choose (link for a device route, universe otherwise).</summary>
    public RouteScope? Scope { get; init; }

    /// <summary>RTA_PRIORITY. The kernel stores 0 as 1024 for IPv6.</summary>
    public uint Metric { get; init; }

    public IPAddress? Gateway { get; init; }

    public int InterfaceIndex { get; init; }

    /// <summary>The gateway is reachable on the device even though no address covers it (RTNH_F_ONLINK).</summary>
    public bool OnLink { get; init; }

    /// <summary>RTA_PREFSRC: the source address for packets the host sends along it.</summary>
    public IPAddress? Source { get; init; }

    public ImmutableArray<NextHop> NextHops { get; init; } = [];

    /// <summary>
    /// RTA_NH_ID: the kernel holds this route's next hop as that nexthop object (<c>ip nexthop</c>).
    /// Read from the kernel; when set on a route sent, it stands for the gateway, device and onlink
    /// flag. How the kernel holds the next hop, not which it is: not part of equality.
    /// </summary>
    public uint NexthopId { get; init; }

    public AddressFamily Family => Destination.BaseAddress.AddressFamily;

    public bool IsIPv6 => Family == AddressFamily.InterNetworkV6;

    public RouteKey Key => new(Table, Destination, Metric);

    public RouteScope EffectiveScope =>
        IsIPv6 ? RouteScope.Universe
        : Scope ?? (Type == RouteType.Unicast && Gateway is null && NextHops.IsDefaultOrEmpty ? RouteScope.Link
            : Type == RouteType.Local ? RouteScope.Host
            : RouteScope.Universe);

    public static Route Via(IPNetwork destination, IPAddress gateway, int interfaceIndex = 0) =>
        new() { Destination = destination, Gateway = gateway, InterfaceIndex = interfaceIndex };

    public static Route Device(IPNetwork destination, int interfaceIndex) =>
        new() { Destination = destination, InterfaceIndex = interfaceIndex };

    public static Route Blackhole(IPNetwork destination) => new() { Destination = destination, Type = RouteType.Blackhole };

    public static Route Unreachable(IPNetwork destination) => new() { Destination = destination, Type = RouteType.Unreachable };

    public static Route Multipath(IPNetwork destination, params NextHop[] nextHops) =>
        new() { Destination = destination, NextHops = [.. nextHops] };

    /// <summary>
    /// Whether the kernel's <paramref name="actual"/> route is this one: what this route leaves
    /// open (a device for a gateway route, a preferred source) may be anything there.
    /// </summary>
    public bool IsSatisfiedBy(Route actual)
    {
        ArgumentNullException.ThrowIfNull(actual);
        if (Destination != actual.Destination || Type != actual.Type || Table != actual.Table
            || Protocol != actual.Protocol || EffectiveScope != actual.EffectiveScope
            || NormalizedMetric != actual.NormalizedMetric || (Source is not null && !Source.Equals(actual.Source)))
        {
            return false;
        }

        if (Type != RouteType.Unicast)
        {
            return true;
        }

        if (!Equals(Gateway, actual.Gateway) || OnLink != actual.OnLink
            || (InterfaceIndex != 0 && InterfaceIndex != actual.InterfaceIndex))
        {
            return false;
        }

        var wanted = NextHops.IsDefault ? [] : NextHops;
        var got = actual.NextHops.IsDefault ? [] : actual.NextHops;
        if (wanted.Length != got.Length)
        {
            return false;
        }

        // The kernel may list the paths in another order than they were given (IPv6 siblings).
        Span<bool> used = wanted.Length <= 64 ? stackalloc bool[wanted.Length] : new bool[wanted.Length];
        foreach (var hop in wanted)
        {
            var found = false;
            for (var j = 0; j < got.Length && !found; j++)
            {
                if (!used[j] && hop.IsSatisfiedBy(got[j]))
                {
                    used[j] = found = true;
                }
            }

            if (!found)
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>The metric as the kernel keeps it (IPv6 turns 0 into 1024).</summary>
    public uint NormalizedMetric => IsIPv6 && Metric == 0 ? 1024 : Metric;

    public bool Equals(Route? other) =>
        other is not null
        && Destination == other.Destination && Type == other.Type && Table == other.Table && Protocol == other.Protocol
        && Scope == other.Scope && Metric == other.Metric && Equals(Gateway, other.Gateway)
        && InterfaceIndex == other.InterfaceIndex && OnLink == other.OnLink && Equals(Source, other.Source)
        && (NextHops.IsDefault ? [] : NextHops).SequenceEqual(other.NextHops.IsDefault ? [] : other.NextHops);

    public override int GetHashCode() => HashCode.Combine(Destination, Type, Table, Metric, Gateway, InterfaceIndex);

    /// <summary>In <c>ip route</c>'s words: "10.1.0.0/24 via 10.0.0.9 dev #3 table 254 proto 80".</summary>
    public override string ToString()
    {
        var text = new StringBuilder();
        if (Type != RouteType.Unicast)
        {
            text.Append(Type.ToString().ToLowerInvariant()).Append(' ');
        }

        text.Append(Destination);
        if (NexthopId != 0)
        {
            text.Append(" nhid ").Append(NexthopId);
        }

        if (Gateway is not null)
        {
            text.Append(" via ").Append(Gateway);
        }

        if (InterfaceIndex != 0)
        {
            text.Append(" dev #").Append(InterfaceIndex);
        }

        if (OnLink)
        {
            text.Append(" onlink");
        }

        foreach (var hop in NextHops.IsDefault ? [] : NextHops)
        {
            text.Append(" nexthop ").Append(hop);
        }

        if (Metric != 0)
        {
            text.Append(" metric ").Append(Metric);
        }

        text.Append(" table ").Append(Table);
        return text.ToString();
    }
}
