using System.Net;
using Routing.Ipam.Addresses;
using Routing.Ipam.Store;

namespace Routing.Ipam.Blocks;

/// <summary>A node's claim on a block of a pool.</summary>
public sealed record BlockAffinity(string Node, IPNetwork Cidr, AffinityState State) : IIpamRecord
{
    /// <summary>"node-10-0-0-0-26": one claim per node and block, so two nodes racing for a block both write, and the block decides.</summary>
    public string Name => NameFor(Node, Cidr);

    public static string NameFor(string node, IPNetwork cidr) => $"{node}-{BlockCidr.NameOf(cidr)}";
}
