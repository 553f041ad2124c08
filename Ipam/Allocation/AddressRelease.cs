using System.Net;

namespace Routing.Ipam.Allocation;

/// <summary>
/// An address to free; with <see cref="SequenceNumber"/>, only if it is still the allocation made
/// at that number (a late release then cannot free the address from its next owner).
/// </summary>
public sealed record AddressRelease(IPAddress Address, ulong? SequenceNumber = null);
