namespace Routing.Policy.Model;

/// <summary>A named port of one of a pod's containers, which policies may refer to by name.</summary>
public sealed record ContainerPort(string Name, int Port, PolicyProtocol Protocol = PolicyProtocol.Tcp);
