using Routing.Policy.Model;

namespace Routing.Policy.Tests.Conformance;

/// <summary>One cell of a reachability matrix: from a pod to a pod on a port and protocol.</summary>
public sealed record Probe(string From, string To, int Port, PolicyProtocol Protocol)
{
    public override string ToString() => $"{From} -> {To}:{Port}/{Protocol.Name()}";
}
