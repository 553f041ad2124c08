using System.Net.Sockets;
using Routing.Dataplane.Commands;
using Routing.Dataplane.Ipsets;
using Routing.Dataplane.Namespaces;
using Routing.TestKit.Namespaces;

namespace Routing.Dataplane.Tests.Ipsets;

/// <summary>Set members written over nfnetlink (<see cref="IpsetNetlink"/>), checked with the real ipset, in a namespace per test.</summary>
[Trait("Category", "Netns")]
public sealed class IpsetNetlinkNetnsTests
{
    private static async Task<string[]> MembersAsync(NetNs ns, string set)
    {
        var text = await ns.OutputOfAsync("ipset", "list", set);
        return text[(text.IndexOf("Members:\n", StringComparison.Ordinal) + "Members:\n".Length)..]
            .Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Order(StringComparer.Ordinal)
            .ToArray();
    }

    [SkippableFact]
    public async Task Members_of_every_type_and_family_are_added_and_deleted_without_ipset()
    {
        await using var lab = await SetsLab.OpenAsync();
        var (ns, table) = (lab.Ns, lab.Table);
        Ipset[] before =
        [
            new("rt-ip4", IpsetType.HashIp, AddressFamily.InterNetwork, ["10.0.0.1", "10.0.0.2"]),
            new("rt-ip6", IpsetType.HashIp, AddressFamily.InterNetworkV6, ["fd00::1"]),
            new("rt-net4", IpsetType.HashNet, AddressFamily.InterNetwork, ["10.8.0.0/16", "10.9.0.1"]),
            new("rt-port4", IpsetType.HashIpPort, AddressFamily.InterNetwork, ["10.0.0.1,tcp:80", "10.0.0.1,udp:53"]),
            new("rt-if4", IpsetType.HashNetIface, AddressFamily.InterNetwork, ["0.0.0.0/0,calia", "0.0.0.0/0,calib"]),
            new("rt-if6", IpsetType.HashNetIface, AddressFamily.InterNetworkV6, ["::/0,calia", "::/0,calib"]),
        ];
        foreach (var set in before)
        {
            table.SetIpset(set);
        }

        await table.ApplyAsync();
        Assert.Equal(1, table.NetlinkWrites);

        table.SetIpset(new Ipset("rt-ip4", IpsetType.HashIp, AddressFamily.InterNetwork, ["10.0.0.2", "10.0.0.3"]));
        table.SetIpset(new Ipset("rt-ip6", IpsetType.HashIp, AddressFamily.InterNetworkV6, ["fd00::1", "fd00::2"]));
        table.SetIpset(new Ipset("rt-net4", IpsetType.HashNet, AddressFamily.InterNetwork, ["10.8.0.0/16", "192.168.0.0/24"]));
        table.SetIpset(new Ipset("rt-port4", IpsetType.HashIpPort, AddressFamily.InterNetwork, ["10.0.0.1,udp:53", "10.0.0.2,sctp:9000"]));
        table.SetIpset(new Ipset("rt-if4", IpsetType.HashNetIface, AddressFamily.InterNetwork, ["0.0.0.0/0,calib", "10.1.0.0/16,calic"]));
        table.SetIpset(new Ipset("rt-if6", IpsetType.HashNetIface, AddressFamily.InterNetworkV6, ["::/0,calib"]));
        Assert.Equal(new IpsetApplyResult(false, 0, 6, 0, 0), await table.ApplyAsync());

        Assert.Equal(2, table.NetlinkWrites);
        Assert.Equal(["10.0.0.2", "10.0.0.3"], await MembersAsync(ns, "rt-ip4"));
        Assert.Equal(["fd00::1", "fd00::2"], await MembersAsync(ns, "rt-ip6"));
        Assert.Equal(["10.8.0.0/16", "192.168.0.0/24"], await MembersAsync(ns, "rt-net4"));
        Assert.Equal(["10.0.0.1,udp:53", "10.0.0.2,sctp:9000"], await MembersAsync(ns, "rt-port4"));
        Assert.Equal(["0.0.0.0/0,calib", "10.1.0.0/16,calic"], await MembersAsync(ns, "rt-if4"));
        Assert.Equal(["::/0,calib"], await MembersAsync(ns, "rt-if6"));

        // What the table believes is what the kernel holds.
        table.RequestResync();
        Assert.Equal(new IpsetApplyResult(true, 0, 0, 0, 0), await table.ApplyAsync());
    }

    [SkippableFact]
    public async Task A_set_destroyed_behind_our_back_is_written_by_ipset_restore_instead()
    {
        await using var lab = await SetsLab.OpenAsync();
        var (ns, table) = (lab.Ns, lab.Table);
        table.SetIpset(new Ipset("rt-a", IpsetType.HashIp, AddressFamily.InterNetwork, ["10.0.0.1"]));
        await table.ApplyAsync();
        await ns.OutputOfAsync("ipset", "destroy", "rt-a");

        table.SetIpset(new Ipset("rt-a", IpsetType.HashIp, AddressFamily.InterNetwork, ["10.0.0.1", "10.0.0.2"]));
        await table.ApplyAsync();

        // Only the creation went over nfnetlink; the refused member write went by ipset restore.
        Assert.Equal(1, table.NetlinkWrites);
        Assert.Equal(["10.0.0.1", "10.0.0.2"], await MembersAsync(ns, "rt-a"));
    }

    [SkippableFact]
    public async Task Sets_of_every_type_are_created_filled_and_rewritten_over_nfnetlink_as_ipset_reads_them()
    {
        await using var lab = await SetsLab.OpenAsync();
        var (ns, table) = (lab.Ns, lab.Table);
        var many = Enumerable.Range(1, 3000).Select(i => $"10.{i / 250}.{i % 250}.1").ToArray();
        table.SetIpset(new Ipset("rt-ip4", IpsetType.HashIp, AddressFamily.InterNetwork, many));
        table.SetIpset(new Ipset("rt-ip6", IpsetType.HashIp, AddressFamily.InterNetworkV6, ["fd00::1"]));
        table.SetIpset(new Ipset("rt-net4", IpsetType.HashNet, AddressFamily.InterNetwork, ["10.8.0.0/16", "10.9.0.1"]));
        table.SetIpset(new Ipset("rt-port4", IpsetType.HashIpPort, AddressFamily.InterNetwork, ["10.0.0.1,tcp:80"]));
        table.SetIpset(new Ipset("rt-if4", IpsetType.HashNetIface, AddressFamily.InterNetwork, ["10.1.0.5/32,calia", "0.0.0.0/0,calib"]));
        table.SetIpset(new Ipset("rt-empty", IpsetType.HashNet, AddressFamily.InterNetwork, []));

        Assert.Equal(new IpsetApplyResult(true, 6, 0, 0, 0), await table.ApplyAsync());

        Assert.Equal(1, table.NetlinkWrites);
        var listed = await ns.OutputOfAsync("ipset", "list", "-t");
        foreach (var (name, type) in new[] { ("rt-ip4", "hash:ip"), ("rt-ip6", "hash:ip"), ("rt-net4", "hash:net"), ("rt-port4", "hash:ip,port"), ("rt-if4", "hash:net,iface"), ("rt-empty", "hash:net") })
        {
            Assert.Contains($"Name: {name}\nType: {type}\n", listed, StringComparison.Ordinal);
        }

        Assert.Equal(many.Order(StringComparer.Ordinal), await MembersAsync(ns, "rt-ip4"));
        Assert.Equal(["10.8.0.0/16", "10.9.0.1"], await MembersAsync(ns, "rt-net4"));
        Assert.Equal(["10.0.0.1,tcp:80"], await MembersAsync(ns, "rt-port4"));
        Assert.Equal(["0.0.0.0/0,calib", "10.1.0.5,calia"], await MembersAsync(ns, "rt-if4"));

        // Every member replaced: a temporary filled and swapped in, over nfnetlink too.
        table.SetIpset(new Ipset("rt-net4", IpsetType.HashNet, AddressFamily.InterNetwork, ["172.16.0.0/12", "192.168.1.0/24"]));
        Assert.Equal(new IpsetApplyResult(false, 0, 0, 1, 0), await table.ApplyAsync());
        Assert.Equal(2, table.NetlinkWrites);
        Assert.Equal(["172.16.0.0/12", "192.168.1.0/24"], await MembersAsync(ns, "rt-net4"));
        Assert.DoesNotContain(":", await ns.OutputOfAsync("ipset", "list", "-n"), StringComparison.Ordinal);

        // ipset save reads back what nfnetlink wrote, and it is what the table wants.
        table.RequestResync();
        Assert.Equal(new IpsetApplyResult(true, 0, 0, 0, 0), await table.ApplyAsync());
    }

    [SkippableFact]
    public async Task A_refused_load_leaves_none_of_the_sets_it_created()
    {
        await using var lab = await SetsLab.OpenAsync();
        var (ns, netlink) = (lab.Ns, lab.Members);
        // rt-b exists with another type: its creation is refused, after rt-a's went through.
        await ns.OutputOfAsync("ipset", "create", "rt-b", "hash:net");
        await ns.OutputOfAsync("ipset", "add", "rt-b", "10.9.0.0/16");
        IpsetUpdate Create(string name, params string[] members) =>
            new(new Ipset(name, IpsetType.HashIp, AddressFamily.InterNetwork, members), IpsetUpdateKind.Create, [], []);

        var result = netlink.Load([Create("rt-a", "10.0.0.1", "10.0.0.2"), Create("rt-b", "10.0.0.3"), Create("rt-c", "10.0.0.4")], "rt-", 65536);

        Assert.False(result.Succeeded);
        Assert.Contains(result.Errors, e => e.Request.StartsWith("ipset create rt-b hash:ip", StringComparison.Ordinal));
        Assert.Equal("rt-b", (await ns.OutputOfAsync("ipset", "list", "-n")).Trim());
        Assert.Equal(["10.9.0.0/16"], await MembersAsync(ns, "rt-b"));
    }

    /// <summary>A namespace of its own, an nfnetlink connection into it, and a set table writing members over it.</summary>
    private sealed class SetsLab : IAsyncDisposable
    {
        private readonly NetworkNamespace handle;

        private SetsLab(NetNs ns, NetworkNamespace handle)
        {
            Ns = ns;
            this.handle = handle;
            Members = IpsetNetlink.Open(handle);
            Table = new IpsetTable(new IpsetTableOptions(), new ProcessCommandRunner(ns.Name));
            Table.WriteMembersWith(Members);
        }

        public NetNs Ns { get; }

        public IpsetNetlink Members { get; }

        public IpsetTable Table { get; }

        public static async Task<SetsLab> OpenAsync()
        {
            Skip.IfNot(File.Exists("/usr/sbin/ipset") || File.Exists("/sbin/ipset"), "ipset is not installed");
            var ns = await NetNs.CreateAsync("ipsetnl");
            try
            {
                return new SetsLab(ns, NetworkNamespace.Open(ns.Path));
            }
            catch
            {
                await ns.DisposeAsync();
                throw;
            }
        }

        public async ValueTask DisposeAsync()
        {
            Members.Dispose();
            handle.Dispose();
            await Ns.DisposeAsync();
        }
    }
}
