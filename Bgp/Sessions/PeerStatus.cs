using System.Net;
using Routing.Bgp.Fsm;
using Routing.Bgp.Wire;

namespace Routing.Bgp.Sessions;

/// <summary>A snapshot of one session for <c>routing status</c> and <c>routing bgp peers</c>.</summary>
public sealed record PeerStatus
{
    public required IPAddress PeerAddress { get; init; }

    public required uint PeerAs { get; init; }

    public required bool IsExternal { get; init; }

    public required BgpState State { get; init; }

    /// <summary>When the session entered its current state.</summary>
    public required DateTimeOffset Since { get; init; }

    public TransitionReason? LastTransitionReason { get; init; }

    /// <summary>The last error: a NOTIFICATION sent or received, or a connection failure.</summary>
    public string? LastError { get; init; }

    public IPAddress? RemoteRouterId { get; init; }

    public ushort NegotiatedHoldTime { get; init; }

    public IReadOnlyList<AfiSafi> Families { get; init; } = [];

    /// <summary>Families whose End-of-RIB marker the peer sent in this session: its initial table for them is complete.</summary>
    public IReadOnlyList<AfiSafi> EndOfRibReceived { get; init; } = [];

    /// <summary>Established, and every negotiated family's initial table received (End-of-RIB).</summary>
    public bool InitialTableReceived => State == BgpState.Established && Families.All(EndOfRibReceived.Contains);

    public int PrefixesReceived { get; init; }

    public int PrefixesAccepted { get; init; }

    public int PrefixesAdvertised { get; init; }

    public int EstablishedTransitions { get; init; }

    public string? Description { get; init; }
}
