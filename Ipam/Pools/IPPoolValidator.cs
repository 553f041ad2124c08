using System.Net.Sockets;
using Routing.Ipam.Addresses;

namespace Routing.Ipam.Pools;

/// <summary>
/// Checks pools before they are stored: every message names the field (<c>spec.cidr</c>,
/// <c>spec.blockSize</c>, …) and says what would be accepted.
/// </summary>
public static class IPPoolValidator
{
    /// <summary>Block sizes Calico accepts: at most 4096 and at least 1 address per block.</summary>
    public const int MinIPv4BlockSize = 20;

    public const int MinIPv6BlockSize = 116;

    /// <summary>The problems with one pool; empty when it is valid.</summary>
    public static IReadOnlyList<string> Validate(IPPool pool)
    {
        ArgumentNullException.ThrowIfNull(pool);
        var errors = new List<string>();
        if (string.IsNullOrWhiteSpace(pool.Name))
        {
            errors.Add("metadata.name: an IPPool needs a name.");
        }

        if (!BlockCidr.TryParse(pool.Cidr, out var network) || !pool.Cidr.Contains('/', StringComparison.Ordinal))
        {
            errors.Add($"IPPool {pool.Name}: spec.cidr '{pool.Cidr}' is not a network in CIDR form with no host bits set (e.g. 10.244.0.0/16).");
            return errors;
        }

        var ipv4 = network.BaseAddress.AddressFamily == AddressFamily.InterNetwork;
        var (min, max) = ipv4 ? (MinIPv4BlockSize, 32) : (MinIPv6BlockSize, 128);
        var blockSize = pool.ResolveBlockSize();
        if (blockSize < min || blockSize > max)
        {
            errors.Add($"IPPool {pool.Name}: spec.blockSize {blockSize} is out of range: {(ipv4 ? "IPv4" : "IPv6")} blocks are /{min} to /{max}.");
        }
        else if (blockSize < network.PrefixLength)
        {
            errors.Add($"IPPool {pool.Name}: spec.blockSize {blockSize} is larger than the pool {pool.Cidr}: use a block size of at least /{network.PrefixLength}.");
        }

        if (pool.IpipMode != EncapsulationMode.Never && !ipv4)
        {
            errors.Add($"IPPool {pool.Name}: spec.ipipMode {pool.IpipMode} applies to IPv4 pools only; use Never for {pool.Cidr}.");
        }

        if (pool.IpipMode != EncapsulationMode.Never && pool.VxlanMode != EncapsulationMode.Never)
        {
            errors.Add($"IPPool {pool.Name}: spec.ipipMode and spec.vxlanMode cannot both be enabled; set one of them to Never.");
        }

        if (!Enum.IsDefined(pool.IpipMode))
        {
            errors.Add($"IPPool {pool.Name}: spec.ipipMode must be Never, Always or CrossSubnet.");
        }

        if (!Enum.IsDefined(pool.VxlanMode))
        {
            errors.Add($"IPPool {pool.Name}: spec.vxlanMode must be Never, Always or CrossSubnet.");
        }

        if (string.IsNullOrWhiteSpace(pool.NodeSelector) && pool.NodeSelector.Length > 0)
        {
            errors.Add($"IPPool {pool.Name}: spec.nodeSelector is blank; leave it out or write all().");
        }

        return errors;
    }

    /// <summary>The problems with a set of pools: each pool's own, then every pair that overlaps or shares a name.</summary>
    public static IReadOnlyList<string> ValidateAll(IEnumerable<IPPool> pools)
    {
        ArgumentNullException.ThrowIfNull(pools);
        var errors = new List<string>();
        var valid = new List<IPPool>();
        foreach (var pool in pools)
        {
            var own = Validate(pool);
            errors.AddRange(own);
            if (own.Count == 0)
            {
                valid.Add(pool);
            }
        }

        for (var i = 0; i < valid.Count; i++)
        {
            for (var j = i + 1; j < valid.Count; j++)
            {
                if (valid[i].Name == valid[j].Name)
                {
                    errors.Add($"IPPool {valid[i].Name}: metadata.name is used by two pools ({valid[i].Cidr} and {valid[j].Cidr}).");
                }
                else if (BlockCidr.Overlap(valid[i].ParseCidr(), valid[j].ParseCidr()))
                {
                    errors.Add($"IPPool {valid[j].Name}: spec.cidr {valid[j].Cidr} overlaps IPPool {valid[i].Name} ({valid[i].Cidr}); pools must not share addresses.");
                }
            }
        }

        return errors;
    }
}
