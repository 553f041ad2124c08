namespace Routing.Dataplane.Routes;

/// <summary>
/// rtm_protocol values: who installed a route (RTPROT_*, /etc/iproute2/rt_protos). The agent
/// tags its routes with a number of its own so that it can find them again and never touch
/// anyone else's.
/// </summary>
public static class RouteProtocols
{
    public const byte Unspecified = 0;
    public const byte Redirect = 1;
    public const byte Kernel = 2;
    public const byte Boot = 3;
    public const byte Static = 4;
    public const byte Bird = 12;

    /// <summary>The agent's own routes (like felix's "proto 80"); configurable per <see cref="RouteTable"/>.</summary>
    public const byte Routing = 80;
}
