namespace Routing.Ipam.Store;

/// <summary>A record the IPAM store keeps under a name (the document's <c>metadata.name</c>).</summary>
public interface IIpamRecord
{
    string Name { get; }
}
