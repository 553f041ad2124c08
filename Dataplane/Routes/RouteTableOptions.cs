namespace Routing.Dataplane.Routes;

/// <summary>How a <see cref="RouteTable"/> applies: whose routes it owns, how it batches and how soon it reacts.</summary>
public sealed record RouteTableOptions
{
    /// <summary>rtm_protocol of every route the table installs; routes with any other protocol are never touched.</summary>
    public byte Protocol { get; init; } = RouteProtocols.Routing;

    /// <summary>
    /// The tables this instance manages (null: every table). Two instances with the same protocol
    /// must manage disjoint tables or families, or each deletes what the other installs. Nexthop
    /// objects are per namespace: an instance of some tables uses and deletes only those it made (one it
    /// made before a restart stays, unused).
    /// </summary>
    public IReadOnlySet<uint>? Tables { get; init; }

    /// <summary>The family this instance manages (null: IPv4 and IPv6).</summary>
    public System.Net.Sockets.AddressFamily? Family { get; init; }

    /// <summary>How long to let a burst of changes gather before applying them in one batch.</summary>
    /// <summary>
    /// Routes of the table's protocol that another writer owns (the CNI plugin's routes to pods):
    /// never changed, deleted or wanted by this table.
    /// </summary>
    public Func<Route, bool>? LeaveAlone { get; init; }

    public TimeSpan CoalesceDelay { get; init; } = TimeSpan.FromMilliseconds(5);

    /// <summary>A full dump-and-diff this often, whatever the monitor said (felix: 90 s).</summary>
    public TimeSpan ResyncInterval { get; init; } = TimeSpan.FromSeconds(90);

    /// <summary>After a request the kernel refused (a device not up yet), try again this much later.</summary>
    public TimeSpan RetryDelay { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>
    /// Routes via a gateway go through nexthop objects of the table's protocol (kernel 5.3+; without
    /// them, or with this false, each route names its gateway).
    /// </summary>
    public bool NexthopObjects { get; init; } = true;

    /// <summary>
    /// A batch of at least this many requests, and at least a quarter of the table's routes, is sent
    /// with the table's monitor deaf to routes (the kernel then builds no notification per route, and
    /// nobody reads its echoes: ~3 µs per route) and checked with one dump right after (~0.5 µs per
    /// route). Only for a table from <see cref="RouteTable.Open"/>, which owns its monitor.
    /// </summary>
    public int DeafBatchSize { get; init; } = 4096;

    public int MessagesPerDatagram { get; init; } = Netlink.NetlinkConnection.DefaultMessagesPerDatagram;

    public TimeProvider TimeProvider { get; init; } = TimeProvider.System;
}
