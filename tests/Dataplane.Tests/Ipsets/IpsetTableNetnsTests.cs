using System.Net.Sockets;
using Routing.Dataplane.Commands;
using Routing.Dataplane.Ipsets;
using Routing.Dataplane.Iptables;
using Routing.TestKit.Namespaces;

namespace Routing.Dataplane.Tests.Ipsets;

/// <summary><see cref="IpsetTable"/> against the real ipset, in a namespace per test (sets are per network namespace).</summary>
[Trait("Category", "Netns")]
public sealed class IpsetTableNetnsTests
{
    private static async Task<(NetNs Ns, IpsetTable Table)> CreateAsync(string label = "ipset")
    {
        Skip.IfNot(File.Exists("/usr/sbin/ipset") || File.Exists("/sbin/ipset"), "ipset is not installed");
        var ns = await NetNs.CreateAsync(label);
        return (ns, new IpsetTable(new IpsetTableOptions(), new ProcessCommandRunner(ns.Name)));
    }

    /// <summary>The members of a set, as <c>ipset list</c> shows them.</summary>
    private static async Task<string[]> MembersAsync(NetNs ns, string set)
    {
        var text = await ns.OutputOfAsync("ipset", "list", set);
        return text[(text.IndexOf("Members:\n", StringComparison.Ordinal) + "Members:\n".Length)..]
            .Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Order(StringComparer.Ordinal)
            .ToArray();
    }

    private static async Task<string[]> SetNamesAsync(NetNs ns) =>
        (await ns.OutputOfAsync("ipset", "list", "-n")).Split('\n', StringSplitOptions.RemoveEmptyEntries).Order(StringComparer.Ordinal).ToArray();

    private static string[] Addresses(int count, int third) =>
        Enumerable.Range(1, count).Select(i => $"10.{third}.{i / 256}.{i % 256}").ToArray();

    [SkippableFact]
    public async Task Sets_of_every_type_and_family_are_created_with_their_members()
    {
        var (ns, table) = await CreateAsync();
        await using var _ = ns;
        table.SetIpset(new Ipset("rt-ip4", IpsetType.HashIp, AddressFamily.InterNetwork, ["10.0.0.1", "10.0.0.2"]));
        table.SetIpset(new Ipset("rt-net6", IpsetType.HashNet, AddressFamily.InterNetworkV6, ["fd00:1::5/64", "fd00::1/128"]));
        table.SetIpset(new Ipset("rt-port4", IpsetType.HashIpPort, AddressFamily.InterNetwork, ["10.0.0.1,80", "10.0.0.1,udp:53"]));
        var longName = table.NameFor("policy/default/allow-frontend-to-backend");
        table.SetIpset(new Ipset(longName, IpsetType.HashNet, AddressFamily.InterNetwork, ["10.8.0.0/16"]));

        Assert.Equal(new IpsetApplyResult(true, 4, 0, 0, 0), await table.ApplyAsync());

        Assert.Equal(["10.0.0.1", "10.0.0.2"], await MembersAsync(ns, "rt-ip4"));
        Assert.Equal(["fd00:1::/64", "fd00::1"], await MembersAsync(ns, "rt-net6"));
        Assert.Equal(["10.0.0.1,tcp:80", "10.0.0.1,udp:53"], await MembersAsync(ns, "rt-port4"));
        Assert.Equal(["10.8.0.0/16"], await MembersAsync(ns, longName));

        // Read back fresh, the kernel matches what is wanted.
        table.RequestResync();
        Assert.Equal(new IpsetApplyResult(true, 0, 0, 0, 0), await table.ApplyAsync());
    }

    [SkippableFact]
    public async Task Small_changes_go_in_place_large_ones_by_swap_and_unwanted_sets_are_destroyed_leaving_foreign_ones()
    {
        var (ns, table) = await CreateAsync();
        await using var _ = ns;
        await ns.OutputOfAsync("ipset", "create", "theirs", "hash:ip");
        table.SetIpset(new Ipset("rt-a", IpsetType.HashIp, AddressFamily.InterNetwork, Addresses(50, 1)));
        table.SetIpset(new Ipset("rt-b", IpsetType.HashIp, AddressFamily.InterNetwork, ["10.2.0.1"]));
        await table.ApplyAsync();

        table.SetIpset(new Ipset("rt-a", IpsetType.HashIp, AddressFamily.InterNetwork, [.. Addresses(49, 1), "10.9.9.9"]));
        Assert.Equal(new IpsetApplyResult(false, 0, 1, 0, 0), await table.ApplyAsync());
        Assert.Equal(Addresses(49, 1).Append("10.9.9.9").Order(StringComparer.Ordinal), await MembersAsync(ns, "rt-a"));

        table.SetIpset(new Ipset("rt-a", IpsetType.HashIp, AddressFamily.InterNetwork, Addresses(20, 3)));
        Assert.Equal(new IpsetApplyResult(false, 0, 0, 1, 0), await table.ApplyAsync());
        Assert.Equal(Addresses(20, 3).Order(StringComparer.Ordinal), await MembersAsync(ns, "rt-a"));

        table.RemoveIpset("rt-b");
        Assert.Equal(new IpsetApplyResult(false, 0, 0, 0, 1), await table.ApplyAsync());
        Assert.Equal(["rt-a", "theirs"], await SetNamesAsync(ns));

        Assert.Equal(new IpsetApplyResult(true, 0, 0, 0, 1), await new IpsetTable(new IpsetTableOptions(), new ProcessCommandRunner(ns.Name)).UninstallAsync());
        Assert.Equal(["theirs"], await SetNamesAsync(ns));
    }

    [SkippableFact]
    public async Task A_set_used_by_an_iptables_rule_is_updated_in_place_and_destroyed_only_after_the_rule_is_gone()
    {
        var (ns, table) = await CreateAsync("ipset-b");
        await using var _ = ns;
        await using var peer = await NetNs.CreateAsync("ipset-a");
        var link = await VethPair.CreateAsync(peer, ns);
        await peer.AddAddressAsync(link.AName, "10.92.0.1/24");
        await ns.AddAddressAsync(link.BName, "10.92.0.2/24");
        async Task<bool> PingAsync() => (await peer.RunAsync("ping", "-c", "1", "-W", "1", "10.92.0.2")).Succeeded;

        // Policy-manager order: ipsets add → iptables → ipsets remove.
        var blocked = new Ipset("rt-blocked", IpsetType.HashNet, AddressFamily.InterNetwork, ["10.92.0.1/32", "10.93.0.0/16"]);
        table.SetIpset(blocked);
        await table.ApplyUpdatesAsync();
        var filter = new IptablesTable(new IptablesTableOptions { Table = "filter" }, new ProcessCommandRunner(ns.Name));
        filter.SetChain(new IptablesChain("rt-input", new IptablesRule("-m set --match-set rt-blocked src -j DROP")));
        filter.SetInsertedRules("INPUT", [new IptablesRule("-j rt-input")]);
        await filter.ApplyAsync();
        await table.ApplyDeletionsAsync();
        Assert.False(await PingAsync());

        // Swapping in a whole new membership while the rule uses the set.
        table.SetIpset(new Ipset("rt-blocked", IpsetType.HashNet, AddressFamily.InterNetwork, Addresses(300, 94)));
        Assert.Equal(1, (await table.ApplyAsync()).SetsSwapped);
        Assert.True(await PingAsync());

        table.SetIpset(new Ipset("rt-blocked", IpsetType.HashNet, AddressFamily.InterNetwork, [.. Addresses(300, 94), "10.92.0.1"]));
        Assert.Equal(1, (await table.ApplyAsync()).SetsUpdated);
        Assert.False(await PingAsync());

        // While the rule refers to it the set cannot go: the error says so and the set stays.
        table.RemoveIpset("rt-blocked");
        var error = await Assert.ThrowsAsync<IpsetRestoreException>(() => table.ApplyDeletionsAsync());
        Assert.Contains("in use", error.Message, StringComparison.Ordinal);
        Assert.Contains("rt-blocked", await SetNamesAsync(ns));

        await filter.UninstallAsync();
        Assert.True(await PingAsync());
        Assert.Equal(new IpsetApplyResult(true, 0, 0, 0, 1), await table.ApplyDeletionsAsync());
        Assert.DoesNotContain("rt-blocked", await SetNamesAsync(ns));
    }

    [SkippableFact]
    public async Task A_changed_type_is_recreated_and_a_bad_member_is_reported()
    {
        var (ns, table) = await CreateAsync();
        await using var _ = ns;
        table.SetIpset(new Ipset("rt-a", IpsetType.HashIp, AddressFamily.InterNetwork, ["10.0.0.1"]));
        await table.ApplyAsync();

        table.SetIpset(new Ipset("rt-a", IpsetType.HashNet, AddressFamily.InterNetwork, ["10.1.0.0/16"]));
        Assert.Equal(1, (await table.ApplyAsync()).SetsCreated);
        Assert.Contains("Type: hash:net", await ns.OutputOfAsync("ipset", "list", "rt-a"), StringComparison.Ordinal);
        Assert.Equal(["10.1.0.0/16"], await MembersAsync(ns, "rt-a"));

        // Someone else made a set of our name with another family behind our back; the first
        // restore fails on stale knowledge, the retry from a fresh read recreates it.
        await ns.OutputOfAsync("ipset", "destroy", "rt-a");
        await ns.OutputOfAsync("ipset", "create", "rt-a", "hash:net", "family", "inet6");
        table.SetIpset(new Ipset("rt-a", IpsetType.HashNet, AddressFamily.InterNetwork, ["10.1.0.0/16", "10.2.0.0/16"]));
        var result = await table.ApplyAsync();
        Assert.True(result.ReadKernel);
        Assert.Equal(["10.1.0.0/16", "10.2.0.0/16"], await MembersAsync(ns, "rt-a"));
    }
}
