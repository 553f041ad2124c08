using System.Globalization;
using Routing.Policy.Model;

namespace Routing.Policy.Evaluation;

/// <summary>A connection attempt policy decides on: who opens it, to whom, on which destination port.</summary>
public sealed record Connection(TrafficPeer From, TrafficPeer To, int Port, PolicyProtocol Protocol = PolicyProtocol.Tcp)
{
    public override string ToString() => $"{From} -> {To}:{Port.ToString(CultureInfo.InvariantCulture)}/{Protocol.Name()}";
}
