namespace Routing.Ipam.Store;

/// <summary>What a write to <see cref="InMemoryIpamStore"/> is about to do, for a test's <see cref="InMemoryIpamStore.BeforeWrite"/> hook.</summary>
public readonly record struct IpamWrite(string Kind, string Name, IpamWriteOperation Operation);

public enum IpamWriteOperation
{
    Create,
    Update,
    Delete,
}
