namespace Routing.Ipam.Allocation;

/// <summary>The addresses an <see cref="AssignRequest"/> got, per family.</summary>
public sealed record AssignResult(IReadOnlyList<IpamAllocation> IPv4, IReadOnlyList<IpamAllocation> IPv6)
{
    public IEnumerable<IpamAllocation> All => IPv4.Concat(IPv6);
}
