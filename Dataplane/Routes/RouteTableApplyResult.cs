using Routing.Dataplane.Netlink;

namespace Routing.Dataplane.Routes;

/// <summary>What one apply changed: counts, the requests the kernel refused, and the routes another owner holds.</summary>
public sealed record RouteTableApplyResult(
    bool FullResync,
    int Added,
    int Replaced,
    int Deleted,
    IReadOnlyList<NetlinkRequestError> Errors,
    IReadOnlyList<RouteKey> Conflicts,
    TimeSpan Duration)
{
    public int Changed => Added + Replaced + Deleted;
}
