using System.Text;

namespace Routing.Agent.Resources;

/// <summary>
/// Calico's BGPPeer: a BGP neighbour for some or all nodes. Either <see cref="PeerIP"/> with
/// <see cref="AsNumber"/> (an external router), or <see cref="PeerSelector"/> (other nodes as peers).
/// </summary>
public sealed record BgpPeer
{
    /// <summary>The hold time a session proposes when <see cref="HoldTime"/> is not set.</summary>
    public static readonly TimeSpan DefaultHoldTime = TimeSpan.FromSeconds(90);

    public required string Name { get; init; }

    public Labels Labels { get; init; } = Labels.Empty;

    /// <summary><c>spec.peerIP</c>: the neighbour's address and, optionally, port.</summary>
    public PeerEndpoint? PeerIP { get; init; }

    /// <summary><c>spec.asNumber</c>: the neighbour's AS; set whenever <see cref="PeerIP"/> is.</summary>
    public uint? AsNumber { get; init; }

    /// <summary><c>spec.node</c>: only this node peers; every node selected by <see cref="NodeSelector"/> when null.</summary>
    public string? Node { get; init; }

    /// <summary><c>spec.nodeSelector</c>: which nodes peer; all of them when both this and <see cref="Node"/> are null.</summary>
    public NodeSelector? NodeSelector { get; init; }

    /// <summary><c>spec.peerSelector</c>, as written: nodes to peer with instead of <see cref="PeerIP"/>.</summary>
    public string? PeerSelector { get; init; }

    /// <summary><c>spec.keepaliveTime</c>, whole seconds; a third of the hold time when null.</summary>
    public TimeSpan? KeepaliveTime { get; init; }

    /// <summary><c>spec.holdTime</c>, whole seconds: 0 or at least 3 (RFC 4271 §4.2); <see cref="DefaultHoldTime"/> when null.</summary>
    public TimeSpan? HoldTime { get; init; }

    /// <summary><c>spec.passive</c>: wait for the neighbour to connect.</summary>
    public bool Passive { get; init; }

    /// <summary><c>spec.sourceAddress</c>: <see cref="SourceAddress.UseNodeIP"/> unless set.</summary>
    public SourceAddress SourceAddress { get; init; } = SourceAddress.UseNodeIP;

    /// <summary><c>spec.password</c>: the TCP MD5 key (RFC 2385). Never printed.</summary>
    public string? Password { get; init; }

    /// <summary>Whether the node with this name and these labels has this peering.</summary>
    public bool AppliesTo(string nodeName, IReadOnlyDictionary<string, string> nodeLabels)
    {
        ArgumentNullException.ThrowIfNull(nodeName);
        ArgumentNullException.ThrowIfNull(nodeLabels);
        return Node is not null ? Node == nodeName : NodeSelector?.Matches(nodeLabels) ?? true;
    }

    private bool PrintMembers(StringBuilder builder)
    {
        builder.Append($"Name = {Name}, Labels = {Labels}, PeerIP = {PeerIP}, AsNumber = {AsNumber}, Node = {Node}, ")
            .Append($"NodeSelector = {NodeSelector}, PeerSelector = {PeerSelector}, KeepaliveTime = {KeepaliveTime}, ")
            .Append($"HoldTime = {HoldTime}, Passive = {Passive}, SourceAddress = {SourceAddress}, ")
            .Append(Password is null ? "Password = " : "Password = (set)");
        return true;
    }
}
