using System.Net.Sockets;
using Routing.Dataplane.Iptables;
using Routing.Dataplane.Tests.Commands;
using Routing.TestKit.Time;

namespace Routing.Dataplane.Tests.Iptables;

/// <summary>The apply logic over a fake runner: which commands run when, and with what.</summary>
public class IptablesTableTests
{
    private const string Save = "iptables-nft-save";
    private const string Restore = "iptables-nft-restore";
    private const string EmptyFilter = "*filter\n:INPUT ACCEPT [0:0]\n:FORWARD ACCEPT [0:0]\n:OUTPUT ACCEPT [0:0]\nCOMMIT\n";

    private static readonly IptablesChain Web = new("rt-web", new IptablesRule("-p tcp --dport 80 -j ACCEPT"));
    private static readonly IptablesChain Dns = new("rt-dns", new IptablesRule("-p udp --dport 53 -j ACCEPT"));

    private readonly ManualTimeProvider clock = new();
    private readonly FakeCommandRunner runner = new FakeCommandRunner().On(Save, EmptyFilter).On(Restore, FakeCommandRunner.Ok());

    private IptablesTable NewTable(TimeSpan? refresh = null) =>
        new(new IptablesTableOptions { Table = "filter", RefreshInterval = refresh }, runner, clock);

    private IptablesTable WithWebAndDns()
    {
        var table = NewTable();
        table.SetChain(Web);
        table.SetChain(Dns);
        table.SetInsertedRules("INPUT", [new IptablesRule("-j rt-web")]);
        return table;
    }

    [Fact]
    public async Task The_first_apply_reads_the_table_then_writes_everything_in_one_restore()
    {
        var table = WithWebAndDns();

        var result = await table.ApplyAsync();

        Assert.Equal(new IptablesApplyResult(true, 2, 0, 1), result);
        Assert.Equal([Save, Restore], runner.Invocations.Select(i => i.File));
        Assert.Equal(["-t", "filter"], runner.Invocations[0].Arguments);
        Assert.Equal(["--noflush"], runner.Invocations[1].Arguments);
        var script = runner.Invocations[1].StandardInput!;
        Assert.StartsWith("*filter\n:rt-dns - [0:0]\n:rt-web - [0:0]\n-I INPUT 1 ", script, StringComparison.Ordinal);
        Assert.EndsWith("COMMIT\n", script, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_prepared_apply_reads_before_and_then_only_restores_what_was_prepared()
    {
        var table = WithWebAndDns();

        await table.PrepareAsync();
        Assert.Equal([Save], runner.Invocations.Select(i => i.File));
        var result = await table.ApplyAsync();

        Assert.Equal(new IptablesApplyResult(true, 2, 0, 1), result);
        Assert.Equal([Save, Restore], runner.Invocations.Select(i => i.File));
        Assert.Contains("-A rt-dns ", runner.Invocations[1].StandardInput, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_read_ahead_is_the_first_apply_s_read_and_nothing_is_read_twice()
    {
        var table = NewTable();
        await table.ReadIfDueAsync();
        Assert.Equal([Save], runner.Invocations.Select(i => i.File));

        // The chains are wanted after the read, as a caller compiling meanwhile sets them.
        table.SetChain(Web);
        table.SetChain(Dns);
        var result = await table.ApplyAsync();

        Assert.Equal(new IptablesApplyResult(true, 2, 0, 0), result);
        Assert.Equal([Save, Restore], runner.Invocations.Select(i => i.File));
        Assert.Contains("-A rt-web ", runner.Invocations[1].StandardInput, StringComparison.Ordinal);
        Assert.Contains("-A rt-dns ", runner.Invocations[1].StandardInput, StringComparison.Ordinal);

        runner.Invocations.Clear();
        await table.ReadIfDueAsync();
        Assert.Empty(runner.Invocations);
    }

    [Fact]
    public async Task A_chain_changed_after_preparing_is_applied_as_it_is_now()
    {
        var table = WithWebAndDns();
        await table.PrepareAsync();

        table.SetChain(new IptablesChain("rt-dns", new IptablesRule("-p udp --dport 5353 -j ACCEPT")));
        var result = await table.ApplyAsync();

        Assert.Equal(new IptablesApplyResult(true, 2, 0, 1), result);
        Assert.Equal([Save, Restore], runner.Invocations.Select(i => i.File));
        Assert.Contains("--dport 5353", runner.Invocations[1].StandardInput, StringComparison.Ordinal);
        Assert.DoesNotContain("--dport 53 ", runner.Invocations[1].StandardInput, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Applying_again_with_nothing_new_runs_no_process()
    {
        var table = WithWebAndDns();
        await table.ApplyAsync();
        runner.Invocations.Clear();

        table.SetChain(new IptablesChain("rt-web", new IptablesRule("-p tcp --dport 80 -j ACCEPT")));
        var result = await table.ApplyAsync();

        Assert.Same(IptablesApplyResult.Unchanged, result);
        Assert.Empty(runner.Invocations);
    }

    [Fact]
    public async Task A_changed_chain_is_written_alone_without_reading_the_table_again()
    {
        var table = WithWebAndDns();
        await table.ApplyAsync();
        runner.Invocations.Clear();

        table.SetChain(new IptablesChain("rt-dns", new IptablesRule("-p udp --dport 5353 -j ACCEPT")));
        var result = await table.ApplyAsync();

        Assert.Equal(new IptablesApplyResult(false, 1, 0, 0), result);
        var restore = Assert.Single(runner.Invocations);
        Assert.Equal(Restore, restore.File);
        Assert.DoesNotContain("rt-web", restore.StandardInput, StringComparison.Ordinal);
        Assert.Contains("-A rt-dns ", restore.StandardInput, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_removed_chain_is_flushed_and_deleted()
    {
        var table = WithWebAndDns();
        await table.ApplyAsync();
        runner.Invocations.Clear();

        table.RemoveChain("rt-dns");
        await table.ApplyAsync();

        Assert.Equal("*filter\n:rt-dns - [0:0]\n-X rt-dns\nCOMMIT\n", Assert.Single(runner.Invocations).StandardInput);
    }

    [Fact]
    public async Task Changed_jump_rules_are_placed_from_a_fresh_read()
    {
        var table = WithWebAndDns();
        await table.ApplyAsync();
        runner.Invocations.Clear();

        table.SetInsertedRules("INPUT", [new IptablesRule("-j rt-dns"), new IptablesRule("-j rt-web")]);
        await table.ApplyAsync();

        Assert.Equal([Save, Restore], runner.Invocations.Select(i => i.File));
    }

    [Fact]
    public async Task The_table_is_read_again_once_the_refresh_interval_has_passed()
    {
        var table = NewTable(refresh: TimeSpan.FromSeconds(90));
        table.SetChain(Web);
        await table.ApplyAsync();
        runner.Invocations.Clear();

        clock.Advance(TimeSpan.FromSeconds(89));
        await table.ApplyAsync();
        Assert.Empty(runner.Invocations);

        // The fake kernel still answers with an empty table: as if someone deleted our chain.
        clock.Advance(TimeSpan.FromSeconds(1));
        var result = await table.ApplyAsync();
        Assert.Equal(new IptablesApplyResult(true, 1, 0, 0), result);
    }

    [Fact]
    public async Task A_refused_restore_throws_with_the_rule_and_the_next_apply_reads_first()
    {
        var table = NewTable();
        table.SetChain(new IptablesChain("rt-bad", new IptablesRule("-p tcp --dport 99999 -j ACCEPT")));
        runner.On(Restore, _ => FakeCommandRunner.Fail("iptables-restore v1.8.9 (nf_tables): invalid port/service `99999' specified\nError occurred at line: 3\n"));

        var error = await Assert.ThrowsAsync<IptablesRestoreException>(() => table.ApplyAsync());

        Assert.Equal(3, error.LineNumber);
        Assert.Contains("--dport 99999", error.FailedLine, StringComparison.Ordinal);
        runner.Invocations.Clear();
        await Assert.ThrowsAsync<IptablesRestoreException>(() => table.ApplyAsync());
        Assert.Equal([Save, Restore], runner.Invocations.Select(i => i.File));
    }

    [Fact]
    public async Task A_restore_refused_on_stale_knowledge_is_retried_once_from_a_fresh_read()
    {
        var table = WithWebAndDns();
        await table.ApplyAsync();
        runner.Invocations.Clear();
        var restores = 0;
        runner.On(Restore, _ => ++restores == 1 ? FakeCommandRunner.Fail("iptables-restore: line 3 failed\n") : FakeCommandRunner.Ok());

        table.RemoveChain("rt-dns");
        var result = await table.ApplyAsync();

        Assert.True(result.ReadKernel);
        Assert.Equal([Restore, Save, Restore], runner.Invocations.Select(i => i.File));
    }

    [Fact]
    public async Task Uninstall_removes_our_chains_and_jumps_found_in_the_table_and_nothing_else()
    {
        const string Kernel = """
            *filter
            :INPUT ACCEPT [0:0]
            :FORWARD ACCEPT [0:0]
            :OUTPUT ACCEPT [0:0]
            :theirs - [0:0]
            :rt-web - [0:0]
            -A INPUT -j theirs
            -A INPUT -m comment --comment "rt:AAAAAAAAAAAAAAAA" -j rt-web
            -A rt-web -m comment --comment "rt:BBBBBBBBBBBBBBBB" -j ACCEPT
            -A theirs -j ACCEPT
            COMMIT
            """;
        runner.On(Save, Kernel);
        var table = NewTable();

        var result = await table.UninstallAsync();

        Assert.Equal(new IptablesApplyResult(true, 0, 1, 1), result);
        Assert.Equal("*filter\n:rt-web - [0:0]\n-D INPUT 2\n-X rt-web\nCOMMIT\n", runner.Of(Restore).Single().StandardInput);
    }

    [Fact]
    public async Task IPv6_and_legacy_use_their_own_tools()
    {
        var v6 = new FakeCommandRunner().On("ip6tables-legacy-save", EmptyFilter).On("ip6tables-legacy-restore", FakeCommandRunner.Ok());
        var table = new IptablesTable(new IptablesTableOptions { Table = "filter", Family = AddressFamily.InterNetworkV6, Backend = IptablesBackend.Legacy }, v6);
        table.SetChain(Web);

        await table.ApplyAsync();

        Assert.Equal(["ip6tables-legacy-save", "ip6tables-legacy-restore"], v6.Invocations.Select(i => i.File));
        Assert.Equal(["--noflush", "--wait", "10"], v6.Invocations[1].Arguments);
    }

    [Fact]
    public void Chains_without_the_prefix_and_unknown_built_in_chains_are_refused()
    {
        var table = NewTable();

        Assert.Throws<ArgumentException>(() => table.SetChain(new IptablesChain("KUBE-SERVICES")));
        Assert.Throws<ArgumentException>(() => table.SetInsertedRules("PREROUTING", [new IptablesRule("-j rt-web")]));
        Assert.Throws<ArgumentException>(() => new IptablesTable(new IptablesTableOptions { Table = "filter", ChainPrefix = "IN" }, runner));
        Assert.Throws<ArgumentException>(() => new IptablesTable(new IptablesTableOptions { Table = "broute" }, runner));
    }
}
