using System.Net;
using Routing.Ipam.Allocation;
using Routing.Ipam.Pools;
using Routing.Ipam.Store;

namespace Routing.Ipam.Tests;

/// <summary>A store with pools and allocators that retry fast, for the IPAM tests.</summary>
public sealed class IpamTestBed
{
    public static readonly IpamRetryPolicy FastRetries = new(50, TimeSpan.FromTicks(5_000), TimeSpan.FromMilliseconds(5));

    public InMemoryIpamStore Store { get; } = new();

    public static IPAddress Ip(string text) => IPAddress.Parse(text);

    public static IPNetwork Net(string text) => IPNetwork.Parse(text);

    public async Task<IPPool> AddPoolAsync(string cidr, int? blockSize = null, string? name = null, Func<IPPool, IPPool>? change = null)
    {
        var pool = new IPPool { Name = name ?? "pool-" + cidr.Replace('/', '-').Replace(':', '-').Replace('.', '-'), Cidr = cidr, BlockSize = blockSize };
        pool = change?.Invoke(pool) ?? pool;
        Assert.Empty(IPPoolValidator.Validate(pool));
        await Store.Pools.CreateAsync(pool);
        return pool;
    }

    public IpamAllocator Allocator(IpamOptions? options = null, int seed = 1, INodeSelectorEvaluator? selectors = null) =>
        new(Store, options ?? new IpamOptions { Retry = FastRetries }, selectors, random: new Random(seed));

    public static AssignRequest Request(string handle, string node, int ipv4 = 1, int ipv6 = 0, IReadOnlyList<string>? pools = null) => new()
    {
        HandleId = handle,
        Node = node,
        IPv4Count = ipv4,
        IPv6Count = ipv6,
        Pools = pools,
        Attributes = new Dictionary<string, string> { ["namespace"] = "default", ["pod"] = handle },
    };
}
