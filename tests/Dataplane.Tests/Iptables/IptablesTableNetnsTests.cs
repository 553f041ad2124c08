using Routing.Dataplane.Iptables;
using Routing.TestKit.Namespaces;

namespace Routing.Dataplane.Tests.Iptables;

/// <summary>
/// <see cref="IptablesTable"/> against real iptables-restore, in a namespace per test, for both
/// backends.
/// </summary>
[Trait("Category", "Netns")]
public sealed class IptablesTableNetnsTests
{
    private static IptablesChain Counting(string name, string comment) =>
        new(name, new IptablesRule("-p icmp -j RETURN", comment));

    private static async Task<IptablesInNamespace> WithForeignRulesAsync(IptablesBackend backend)
    {
        var ipt = await IptablesInNamespace.CreateAsync(backend);
        await ipt.IptablesAsync("-N", "theirs");
        await ipt.IptablesAsync("-A", "theirs", "-p", "tcp", "--dport", "22", "-j", "ACCEPT");
        await ipt.IptablesAsync("-A", "INPUT", "-j", "theirs");
        await ipt.IptablesAsync("-A", "OUTPUT", "-p", "udp", "-j", "ACCEPT");
        return ipt;
    }

    [SkippableTheory]
    [InlineData(IptablesBackend.Nft)]
    [InlineData(IptablesBackend.Legacy)]
    public async Task Chains_are_created_with_jumps_at_the_top_and_foreign_rules_stay(IptablesBackend backend)
    {
        await using var ipt = await WithForeignRulesAsync(backend);
        var table = ipt.NewTable();
        table.SetChain(new IptablesChain("rt-input", new IptablesRule("-p tcp --dport 80 -j ACCEPT", "web")));
        table.SetInsertedRules("INPUT", [new IptablesRule("-j rt-input")]);

        var result = await table.ApplyAsync();

        Assert.Equal(new IptablesApplyResult(true, 1, 0, 1), result);
        var input = await ipt.RulesAsync("INPUT");
        Assert.Equal(2, input.Count);
        Assert.EndsWith("-j rt-input", input[0], StringComparison.Ordinal);
        Assert.Equal("-j theirs", input[1]);
        Assert.Equal(["-p tcp -m tcp --dport 22 -j ACCEPT"], await ipt.RulesAsync("theirs"));
        Assert.Equal(["-p udp -j ACCEPT"], await ipt.RulesAsync("OUTPUT"));
        var ours = Assert.Single(await ipt.RulesAsync("rt-input"));
        Assert.Contains("--dport 80", ours, StringComparison.Ordinal);
        Assert.Contains($"rt:{table.Chains["rt-input"].Hashes[0]}", ours, StringComparison.Ordinal);

        // Read back fresh, the table matches what is wanted: nothing to do.
        table.RequestResync();
        Assert.Equal(new IptablesApplyResult(true, 0, 0, 0), await table.ApplyAsync());
    }

    [SkippableTheory]
    [InlineData(IptablesBackend.Nft)]
    [InlineData(IptablesBackend.Legacy)]
    public async Task A_rule_change_rewrites_only_that_chain_and_the_other_keeps_its_counters(IptablesBackend backend)
    {
        await using var ipt = await IptablesInNamespace.CreateAsync(backend);
        var table = ipt.NewTable();
        table.SetChain(Counting("rt-a", "a"));
        table.SetChain(Counting("rt-b", "b"));
        table.SetInsertedRules("OUTPUT", [new IptablesRule("-j rt-a"), new IptablesRule("-j rt-b")]);
        await table.ApplyAsync();

        // rt-a returns every ICMP packet, so only rt-a counts them.
        await ipt.Ns.OutputOfAsync("ping", "-c", "3", "-i", "0.2", "-W", "1", "127.0.0.1");
        var before = await ipt.PacketCountsAsync("rt-a");
        Assert.Equal([6L], before);

        table.SetChain(new IptablesChain("rt-b", new IptablesRule("-p icmp -j RETURN", "b"), new IptablesRule("-p tcp -j RETURN")));
        var result = await table.ApplyAsync();

        Assert.Equal(new IptablesApplyResult(false, 1, 0, 0), result);
        Assert.Equal(before, await ipt.PacketCountsAsync("rt-a"));
        Assert.Equal(2, (await ipt.RulesAsync("rt-b")).Count);
    }

    [SkippableTheory]
    [InlineData(IptablesBackend.Nft)]
    [InlineData(IptablesBackend.Legacy)]
    public async Task A_deleted_or_moved_jump_is_put_back_at_the_top_on_the_next_resync(IptablesBackend backend)
    {
        await using var ipt = await WithForeignRulesAsync(backend);
        var table = ipt.NewTable(refresh: TimeSpan.Zero);
        table.SetChain(new IptablesChain("rt-input", new IptablesRule("-j RETURN")));
        table.SetInsertedRules("INPUT", [new IptablesRule("-j rt-input")]);
        await table.ApplyAsync();

        await ipt.IptablesAsync("-D", "INPUT", "1");
        Assert.Equal(["-j theirs"], await ipt.RulesAsync("INPUT"));
        Assert.Equal(new IptablesApplyResult(true, 0, 0, 1), await table.ApplyAsync());
        var input = await ipt.RulesAsync("INPUT");
        Assert.EndsWith("-j rt-input", input[0], StringComparison.Ordinal);
        Assert.Equal("-j theirs", input[1]);

        // Someone else inserts above ours: ours moves back to the top, theirs stays.
        await ipt.IptablesAsync("-I", "INPUT", "1", "-j", "ACCEPT");
        Assert.Equal(new IptablesApplyResult(true, 0, 0, 1), await table.ApplyAsync());
        input = await ipt.RulesAsync("INPUT");
        Assert.Equal(3, input.Count);
        Assert.EndsWith("-j rt-input", input[0], StringComparison.Ordinal);
        Assert.Equal(["-j ACCEPT", "-j theirs"], input[1..]);
    }

    [SkippableTheory]
    [InlineData(IptablesBackend.Nft)]
    [InlineData(IptablesBackend.Legacy)]
    public async Task Chains_no_longer_wanted_go_and_uninstall_leaves_exactly_the_foreign_rules(IptablesBackend backend)
    {
        await using var ipt = await WithForeignRulesAsync(backend);
        var pristine = await ipt.SaveAsync();
        var table = ipt.NewTable();
        table.SetChain(new IptablesChain("rt-a", new IptablesRule("-j rt-b")));
        table.SetChain(new IptablesChain("rt-b", new IptablesRule("-j RETURN")));
        table.SetChain(new IptablesChain("rt-c", new IptablesRule("-j RETURN")));
        table.SetInsertedRules("INPUT", [new IptablesRule("-j rt-a")]);
        table.SetInsertedRules("FORWARD", [new IptablesRule("-j rt-c")]);
        await table.ApplyAsync();

        table.ReplaceChains([new IptablesChain("rt-a", new IptablesRule("-j RETURN"))]);
        table.SetInsertedRules("FORWARD", []);
        Assert.Equal(new IptablesApplyResult(true, 1, 2, 1), await table.ApplyAsync());
        var save = await ipt.SaveAsync();
        Assert.DoesNotContain("rt-b", save, StringComparison.Ordinal);
        Assert.DoesNotContain("rt-c", save, StringComparison.Ordinal);
        Assert.Empty(await ipt.RulesAsync("FORWARD"));

        // A fresh table object (an agent restarted for uninstall) finds ours by prefix.
        var result = await ipt.NewTable().UninstallAsync();

        Assert.Equal(new IptablesApplyResult(true, 0, 1, 1), result);
        Assert.Equal(pristine, await ipt.SaveAsync());
    }

    [SkippableTheory]
    [InlineData(IptablesBackend.Nft)]
    [InlineData(IptablesBackend.Legacy)]
    public async Task A_bad_rule_is_reported_with_its_line_and_the_previous_rules_stay(IptablesBackend backend)
    {
        await using var ipt = await WithForeignRulesAsync(backend);
        var table = ipt.NewTable();
        table.SetChain(new IptablesChain("rt-a", new IptablesRule("-j RETURN")));
        table.SetInsertedRules("INPUT", [new IptablesRule("-j rt-a")]);
        await table.ApplyAsync();
        var before = await ipt.SaveAsync();

        table.SetChain(new IptablesChain("rt-a", new IptablesRule("-p tcp --dport 80 -j ACCEPT"), new IptablesRule("-p tcp --dport 99999 -j ACCEPT")));
        table.SetChain(new IptablesChain("rt-new", new IptablesRule("-j RETURN")));
        var error = await Assert.ThrowsAsync<IptablesRestoreException>(() => table.ApplyAsync());

        Assert.NotNull(error.LineNumber);
        Assert.Contains("--dport 99999", error.FailedLine, StringComparison.Ordinal);
        Assert.Contains("99999", error.Message, StringComparison.Ordinal);
        Assert.Equal(before, await ipt.SaveAsync());

        // Fixing the rule lets the next apply through.
        table.SetChain(new IptablesChain("rt-a", new IptablesRule("-p tcp --dport 80 -j ACCEPT")));
        await table.ApplyAsync();
        Assert.Single(await ipt.RulesAsync("rt-new"));
    }

    [SkippableTheory]
    [InlineData(IptablesBackend.Nft)]
    [InlineData(IptablesBackend.Legacy)]
    public async Task A_drop_rule_in_our_chain_stops_pings_between_namespaces_and_its_removal_lets_them_through(IptablesBackend backend)
    {
        await using var ipt = await IptablesInNamespace.CreateAsync(backend, "ipt-b");
        await using var peer = await NetNs.CreateAsync("ipt-a");
        var link = await VethPair.CreateAsync(peer, ipt.Ns);
        await peer.AddAddressAsync(link.AName, "10.91.0.1/30");
        await ipt.Ns.AddAddressAsync(link.BName, "10.91.0.2/30");
        async Task<bool> PingAsync() => (await peer.RunAsync("ping", "-c", "1", "-W", "1", "10.91.0.2")).Succeeded;
        Assert.True(await PingAsync());

        var table = ipt.NewTable();
        table.SetChain(new IptablesChain("rt-from-peer", new IptablesRule("-s 10.91.0.1 -p icmp -j DROP")));
        table.SetInsertedRules("INPUT", [new IptablesRule($"-i {link.BName} -j rt-from-peer")]);
        await table.ApplyAsync();
        Assert.False(await PingAsync());

        table.SetChain(new IptablesChain("rt-from-peer"));
        await table.ApplyAsync();
        Assert.True(await PingAsync());

        table.SetChain(new IptablesChain("rt-from-peer", new IptablesRule("-s 10.91.0.1 -p icmp -j DROP")));
        await table.ApplyAsync();
        Assert.False(await PingAsync());
        await table.UninstallAsync();
        Assert.True(await PingAsync());
    }

    [SkippableFact]
    public async Task IPv6_and_the_nat_table_are_handled_the_same_way()
    {
        await using var ipt = await IptablesInNamespace.CreateAsync(IptablesBackend.Nft);
        var v6 = new IptablesTable(new IptablesTableOptions { Table = "nat", Family = System.Net.Sockets.AddressFamily.InterNetworkV6 }, ipt.Runner);
        v6.SetChain(new IptablesChain("rt-postrouting", new IptablesRule("-s fd00::/64 ! -d fd00::/64 -j MASQUERADE")));
        v6.SetInsertedRules("POSTROUTING", [new IptablesRule("-j rt-postrouting")]);

        await v6.ApplyAsync();

        var save = await ipt.Ns.OutputOfAsync("ip6tables-nft-save", "-t", "nat");
        Assert.Contains("-A rt-postrouting", save, StringComparison.Ordinal);
        Assert.Contains("MASQUERADE", save, StringComparison.Ordinal);
        Assert.DoesNotContain("rt-postrouting", await ipt.SaveAsync("nat"), StringComparison.Ordinal);
        await v6.UninstallAsync();
        Assert.DoesNotContain("rt-", await ipt.Ns.OutputOfAsync("ip6tables-nft-save", "-t", "nat"), StringComparison.Ordinal);
    }

    [SkippableTheory]
    [InlineData(IptablesBackend.Nft)]
    [InlineData(IptablesBackend.Legacy)]
    public async Task Co_owners_of_a_built_in_chain_stay_first_together_without_moving_each_other(IptablesBackend backend)
    {
        await using var ipt = await WithForeignRulesAsync(backend);
        IptablesTable Owner(string prefix, string hashPrefix, string coOwner) => new(
            new IptablesTableOptions { Table = "filter", Backend = backend, ChainPrefix = prefix, HashCommentPrefix = hashPrefix, CoOwnerHashCommentPrefixes = [coOwner] },
            ipt.Runner);
        var policy = Owner("rtp-", "rtp:", "rts:");
        var services = Owner("rts-", "rts:", "rtp:");
        policy.SetChain(new IptablesChain("rtp-in", new IptablesRule("-p tcp --dport 81 -j ACCEPT")));
        policy.SetInsertedRules("INPUT", [new IptablesRule("-j rtp-in")]);
        services.SetChain(new IptablesChain("rts-in", new IptablesRule("-p tcp --dport 82 -j ACCEPT")));
        services.SetInsertedRules("INPUT", [new IptablesRule("-j rts-in")]);

        await policy.ApplyAsync();
        await services.ApplyAsync();

        // Each sees the other's jump above its own as a co-owner's: neither moves back to the top.
        policy.RequestResync();
        services.RequestResync();
        Assert.Equal(new IptablesApplyResult(true, 0, 0, 0), await policy.ApplyAsync());
        Assert.Equal(new IptablesApplyResult(true, 0, 0, 0), await services.ApplyAsync());
        var input = await ipt.RulesAsync("INPUT");
        Assert.Equal(3, input.Count);
        Assert.EndsWith("-j rts-in", input[0], StringComparison.Ordinal);
        Assert.EndsWith("-j rtp-in", input[1], StringComparison.Ordinal);
        Assert.Equal("-j theirs", input[2]);

        // A foreign rule put above them is still overtaken by both, and neither deletes the other's jump.
        await ipt.IptablesAsync("-I", "INPUT", "1", "-p", "udp", "-j", "ACCEPT");
        policy.RequestResync();
        Assert.Equal(new IptablesApplyResult(true, 0, 0, 1), await policy.ApplyAsync());
        services.RequestResync();
        Assert.Equal(new IptablesApplyResult(true, 0, 0, 1), await services.ApplyAsync());
        input = await ipt.RulesAsync("INPUT");
        Assert.Equal(4, input.Count);
        Assert.EndsWith("-j rts-in", input[0], StringComparison.Ordinal);
        Assert.EndsWith("-j rtp-in", input[1], StringComparison.Ordinal);
        Assert.Equal("-p udp -j ACCEPT", input[2]);
    }
}
