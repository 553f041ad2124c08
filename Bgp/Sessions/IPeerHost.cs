using Microsoft.Extensions.Logging;
using Routing.Bgp.Rib;
using Routing.Bgp.Wire;

namespace Routing.Bgp.Sessions;

/// <summary>What a peer needs from the speaker that runs it.</summary>
internal interface IPeerHost
{
    SpeakerConfig Config { get; }

    TimeProvider Time { get; }

    ILoggerFactory LoggerFactory { get; }

    /// <summary>Creates the TCP sockets of the sessions (tests create them inside a network namespace).</summary>
    System.Net.Sockets.Socket CreateSocket(System.Net.Sockets.AddressFamily family);

    /// <summary>The prefixes this speaker originates, per family; what every peer is sent.</summary>
    IReadOnlyCollection<Prefix> Originated { get; }

    /// <summary>The cluster ID when this speaker reflects routes (it has a cluster ID or clients), else null.</summary>
    uint? ReflectorClusterId { get; }

    /// <summary>Whether the peer at this address is a route-reflector client.</summary>
    bool IsReflectorClient(System.Net.IPAddress peer);

    /// <summary>The best path to each prefix of a family in the Loc-RIB (for a full export of reflected routes).</summary>
    IEnumerable<Route> BestRoutes(AfiSafi family);

    /// <summary>The best path to one prefix, or null.</summary>
    Route? BestRoute(Prefix prefix);

    /// <summary>Routes learned or withdrawn by a peer, for the Loc-RIB (which holds the Adj-RIBs-In). Called on the peer's loop.</summary>
    RibDelta OnRoutes(Peer peer, IReadOnlyList<(Nlri Nlri, PathInfo Path)> announced, IReadOnlyList<(AfiSafi Family, Nlri Nlri)> withdrawn);

    /// <summary>The peer's session went down: every route it sent leaves the Loc-RIB.</summary>
    void OnSessionDown(Peer peer);
}
