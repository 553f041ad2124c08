namespace Routing.Dataplane.Routes;

/// <summary>rtm_type: what the kernel does with a packet the route matches (RTN_*, linux/rtnetlink.h).</summary>
public enum RouteType : byte
{
    Unspecified = 0,
    Unicast = 1,
    Local = 2,
    Broadcast = 3,
    Anycast = 4,
    Multicast = 5,

    /// <summary>Drop silently.</summary>
    Blackhole = 6,

    /// <summary>Drop and answer ICMP host unreachable.</summary>
    Unreachable = 7,

    /// <summary>Drop and answer ICMP administratively prohibited.</summary>
    Prohibit = 8,
    Throw = 9,
}
