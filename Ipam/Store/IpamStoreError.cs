namespace Routing.Ipam.Store;

/// <summary>Why a store write was refused.</summary>
public enum IpamStoreError
{
    /// <summary>A create found the name taken.</summary>
    AlreadyExists,

    /// <summary>The record changed since the caller read it: read again and redo the change.</summary>
    Conflict,

    /// <summary>The record is gone.</summary>
    NotFound,
}
