using System.Net;

namespace Routing.Dataplane.Nexthops;

/// <summary>
/// A nexthop object (<c>ip nexthop</c>, kernel 5.3+): a gateway out of a device, held once by the
/// kernel and referred to by id from any number of routes (RTA_NH_ID). A route through one skips the
/// kernel's per-route check of the gateway; deleting it takes every route through it along.
/// </summary>
public sealed record Nexthop(uint Id, IPAddress Gateway, int InterfaceIndex, bool OnLink, byte Protocol)
{
    /// <summary>In <c>ip nexthop</c>'s words: "id 7 via 10.0.0.9 dev #3 proto 80".</summary>
    public override string ToString() =>
        $"id {Id} via {Gateway} dev #{InterfaceIndex}{(OnLink ? " onlink" : string.Empty)} proto {Protocol}";
}
