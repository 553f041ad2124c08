using System.Net;

namespace Routing.Dataplane.Nexthops;

/// <summary>What <see cref="Routes.RouteTable"/> needs of the kernel's nexthop objects. Tests put a fake behind it.</summary>
public interface IKernelNexthops
{
    /// <summary>Every nexthop id taken (any owner), and the single gateway nexthops among them.</summary>
    (HashSet<uint> Taken, List<Nexthop> Gateways) List();

    /// <summary>Creates <paramref name="nexthop"/>; throws <see cref="Netlink.NetlinkException"/> if the kernel refuses (EEXIST for a taken id).</summary>
    void Add(Nexthop nexthop);

    /// <summary>Deletes nexthop <paramref name="id"/> and, with it, every route through it; false if there was none (ENOENT).</summary>
    bool Delete(uint id);

    /// <summary>The device the kernel would send to <paramref name="gateway"/> through; 0 if it has no route there.</summary>
    int DeviceTowards(IPAddress gateway);
}
