namespace Routing.Ipam.Allocation;

/// <summary>Why an IPAM request failed, for callers that answer differently (CNI error codes, exit status).</summary>
public enum IpamErrorKind
{
    /// <summary>The request itself is wrong (no handle, no node, a count below zero).</summary>
    InvalidRequest,

    /// <summary>No enabled pool of the family selects the node (or the requested pools do not exist).</summary>
    NoPool,

    /// <summary>Every address the node may use is taken.</summary>
    PoolExhausted,

    /// <summary>A specific address asked for is allocated to another handle.</summary>
    AddressInUse,

    /// <summary>A specific address asked for is kept out by an IPReservation.</summary>
    AddressReserved,

    /// <summary>A specific address asked for is in no pool.</summary>
    AddressNotInPool,

    /// <summary>A record kept changing under this writer until the retries ran out.</summary>
    RetriesExhausted,
}
