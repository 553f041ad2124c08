namespace Routing.Ipam.Summary;

/// <summary>
/// A node's use of a pool: the blocks it holds and their allocated addresses, and the addresses
/// allocated to its pods wherever they are (borrowed ones included).
/// </summary>
public sealed record NodeUsage(string Node, string Pool, int Blocks, long AllocatedInBlocks, long FreeInBlocks, long AddressesInUse);
