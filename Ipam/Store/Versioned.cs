namespace Routing.Ipam.Store;

/// <summary>A record as read from the store, with the opaque revision a write must pass back.</summary>
public sealed record Versioned<T>(T Value, string Revision)
    where T : class, IIpamRecord;
