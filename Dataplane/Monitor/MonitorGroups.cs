namespace Routing.Dataplane.Monitor;

/// <summary>rtnetlink multicast groups as the legacy bind mask (RTMGRP_* = 1 &lt;&lt; (RTNLGRP_* − 1)).</summary>
[Flags]
public enum MonitorGroups : uint
{
    None = 0,
    Links = 0x1,              // RTNLGRP_LINK
    Neighbours = 0x4,         // RTNLGRP_NEIGH
    IPv4Addresses = 0x10,     // RTNLGRP_IPV4_IFADDR
    IPv4Routes = 0x40,        // RTNLGRP_IPV4_ROUTE
    IPv6Addresses = 0x100,    // RTNLGRP_IPV6_IFADDR
    IPv6Routes = 0x400,       // RTNLGRP_IPV6_ROUTE
    Nexthops = 0x80000000,    // RTNLGRP_NEXTHOP (32, the last the bind mask reaches)
    Routes = IPv4Routes | IPv6Routes,
    Addresses = IPv4Addresses | IPv6Addresses,
    All = Links | Neighbours | Addresses | Routes,
}
