using System.Net.Sockets;
using Routing.Bgp.Wire;

namespace Routing.Bgp.Sessions;

/// <summary>Everything a peer reacts to, serialised through its one event loop (STYLE.md: one loop per peer).</summary>
internal abstract record PeerInput
{
    public sealed record Start : PeerInput;

    public sealed record Stop(string? Communication, byte Subcode) : PeerInput;

    public sealed record TimerFired(PeerTimer Timer, int Generation) : PeerInput;

    public sealed record Connected(BgpConnection Connection) : PeerInput;

    public sealed record ConnectFailed(int Attempt, string Error) : PeerInput;

    public sealed record Accepted(Socket Socket) : PeerInput;

    public sealed record Received(BgpConnection Connection, BgpMessage Message) : PeerInput;

    public sealed record Malformed(BgpConnection Connection, BgpError Error) : PeerInput;

    public sealed record Closed(BgpConnection Connection, string Reason) : PeerInput;

    /// <summary>The speaker's originated routes changed; re-compute what this peer is sent.</summary>
    public sealed record OriginatedChanged : PeerInput;

    /// <summary>The best paths to these prefixes changed while the speaker reflects routes; re-compute what this peer is sent for them.</summary>
    public sealed record BestPathsChanged(Prefix[] Prefixes) : PeerInput;

    public sealed record Reconfigure(PeerConfig Config) : PeerInput;
}

internal enum PeerTimer
{
    ConnectRetry,
    Hold,
    Keepalive,
    IdleHold,
}
