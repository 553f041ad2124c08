using System.Net;

namespace Routing.Ipam.Allocation;

/// <summary>
/// An address handed out: keep <see cref="SequenceNumber"/> to release it later without risk of
/// freeing it from a later owner.
/// </summary>
public sealed record IpamAllocation(IPAddress Address, IPNetwork Block, string Pool, string HandleId, ulong SequenceNumber);
