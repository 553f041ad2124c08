namespace Routing.Ipam.Summary;

/// <summary>One block: its pool, the node it is affine to (null for none), and its addresses.</summary>
public sealed record BlockUsage(string Cidr, string? Pool, string? Node, int Size, int Allocated, int Free);
