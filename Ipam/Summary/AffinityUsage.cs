namespace Routing.Ipam.Summary;

/// <summary>A node's claim on a block, as <c>routing ipam show</c> lists it.</summary>
public sealed record AffinityUsage(string Node, string Cidr, string State);
