using Routing.Dataplane.Addresses;
using Routing.Dataplane.Links;
using Routing.Dataplane.Neighbours;
using Routing.Dataplane.Routes;

namespace Routing.Dataplane.Monitor;

/// <summary>Something changed in the kernel's tables, as a multicast notification said.</summary>
public abstract record NetlinkChange;

/// <summary>A link appeared or changed (<see cref="Removed"/> false), or went away.</summary>
public sealed record LinkChange(Link Link, bool Removed) : NetlinkChange;

public sealed record AddressChange(InterfaceAddress Address, bool Removed) : NetlinkChange;

public sealed record RouteChange(Route Route, bool Removed) : NetlinkChange;

/// <summary>A nexthop object appeared, changed or went away (<see cref="Nexthop"/>: null unless a single gateway one that was read).</summary>
public sealed record NexthopChange(uint Id, Nexthops.Nexthop? Nexthop, bool Removed) : NetlinkChange;

public sealed record NeighbourChange(Neighbour Neighbour, bool Removed) : NetlinkChange;

/// <summary>The kernel dropped notifications (the socket's buffer overflowed): whoever keeps state must dump again.</summary>
public sealed record MonitorOverflow : NetlinkChange;
