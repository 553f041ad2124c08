namespace Routing.Ipam.Checking;

/// <summary>One inconsistency, with what it concerns (block CIDR, address, handle) for tools and the message for people.</summary>
public sealed record IpamProblem(IpamProblemKind Kind, string Message, string? Block = null, string? Address = null, string? HandleId = null);
