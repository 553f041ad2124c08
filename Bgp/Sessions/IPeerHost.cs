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

    /// <summary>Routes learned or withdrawn by a peer, for the Loc-RIB (which holds the Adj-RIBs-In). Called on the peer's loop.</summary>
    RibDelta OnRoutes(Peer peer, IReadOnlyList<(Nlri Nlri, PathInfo Path)> announced, IReadOnlyList<(AfiSafi Family, Nlri Nlri)> withdrawn);

    /// <summary>The peer's session went down: every route it sent leaves the Loc-RIB.</summary>
    void OnSessionDown(Peer peer);
}
