using System.Net;

namespace Routing.Ipam.Allocation;

/// <summary>A request for one exact address (the CNI <c>ips</c> runtime config).</summary>
public sealed record AssignIPRequest
{
    public required IPAddress Address { get; init; }

    public required string HandleId { get; init; }

    /// <summary>The node asking: if the address's block has no owner yet, the node claims it.</summary>
    public required string Node { get; init; }

    public IReadOnlyDictionary<string, string>? Attributes { get; init; }
}
