using System.Net;
using Routing.Ipam.Addresses;
using Routing.Ipam.Store;

namespace Routing.Ipam.Pools;

/// <summary>
/// A range of pod addresses, handed to nodes in blocks of <see cref="BlockSize"/>. The fields are
/// the resource's (<c>cidr</c>, <c>blockSize</c>, …) so that <see cref="IPPoolValidator"/> can name
/// the one that is wrong.
/// </summary>
public sealed record IPPool : IIpamRecord
{
    public const int DefaultIPv4BlockSize = 26;

    public const int DefaultIPv6BlockSize = 122;

    /// <summary>The selector that picks every node, Calico's default.</summary>
    public const string AllNodes = "all()";

    public required string Name { get; init; }

    /// <summary>The pool's network, e.g. "10.244.0.0/16" or "fd00:10:244::/64".</summary>
    public required string Cidr { get; init; }

    /// <summary>Prefix length of the pool's blocks; null for the family's default (26 for IPv4, 122 for IPv6).</summary>
    public int? BlockSize { get; init; }

    /// <summary>Which nodes may take blocks from the pool, evaluated by the caller's <see cref="INodeSelectorEvaluator"/>.</summary>
    public string NodeSelector { get; init; } = AllNodes;

    /// <summary>A disabled pool hands out no new address; those in use stay.</summary>
    public bool Disabled { get; init; }

    public EncapsulationMode IpipMode { get; init; } = EncapsulationMode.Never;

    public EncapsulationMode VxlanMode { get; init; } = EncapsulationMode.Never;

    /// <summary>Masquerade traffic from the pool to destinations outside every pool.</summary>
    public bool NatOutgoing { get; init; }

    /// <summary>The parsed <see cref="Cidr"/>; throws <see cref="FormatException"/> when it is not one (validate first).</summary>
    public IPNetwork ParseCidr() => BlockCidr.TryParse(Cidr, out var network)
        ? network
        : throw new FormatException($"IPPool {Name}: spec.cidr '{Cidr}' is not a network address in CIDR form.");

    /// <summary>The block size in force: <see cref="BlockSize"/> or the family's default (IPv6 when the CIDR has a ':').</summary>
    public int ResolveBlockSize() => BlockSize ?? (Cidr.Contains(':', StringComparison.Ordinal)
        ? DefaultIPv6BlockSize
        : DefaultIPv4BlockSize);

    /// <summary>True when <see cref="NodeSelector"/> picks every node without asking an evaluator.</summary>
    public bool SelectsAllNodes => string.IsNullOrWhiteSpace(NodeSelector) || NodeSelector.Trim() == AllNodes;
}
