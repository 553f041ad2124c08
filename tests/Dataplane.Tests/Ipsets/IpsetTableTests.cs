using System.Net.Sockets;
using Routing.Dataplane.Ipsets;
using Routing.Dataplane.Tests.Commands;
using Routing.TestKit.Time;

namespace Routing.Dataplane.Tests.Ipsets;

/// <summary>The apply phases over a fake runner: which commands run when, and with what.</summary>
public class IpsetTableTests
{
    private readonly ManualTimeProvider clock = new();
    private readonly FakeCommandRunner runner = new FakeCommandRunner().On("ipset", FakeCommandRunner.Ok());

    private IpsetTable NewTable(TimeSpan? refresh = null) => new(new IpsetTableOptions { RefreshInterval = refresh }, runner, clock);

    private static Ipset Pods(params string[] members) => new("rt-pods", IpsetType.HashIp, AddressFamily.InterNetwork, members);

    private string[] Scripts() => runner.Invocations.Where(i => i.Arguments[0] == "restore").Select(i => i.StandardInput ?? string.Empty).ToArray();

    [Fact]
    public async Task The_first_apply_reads_the_sets_then_creates_in_one_batch_and_then_nothing_runs()
    {
        var table = NewTable();
        table.SetIpset(Pods("10.0.0.1", "10.0.0.2"));

        var result = await table.ApplyAsync();

        Assert.Equal(new IpsetApplyResult(true, 1, 0, 0, 0), result);
        Assert.Equal(["save", "restore"], runner.Invocations.Select(i => i.Arguments[0]));
        Assert.Equal(["restore", "-exist"], runner.Invocations[1].Arguments);
        Assert.StartsWith("create rt-pods hash:ip family inet maxelem 1048576\n", Scripts()[0], StringComparison.Ordinal);

        runner.Invocations.Clear();
        table.SetIpset(Pods("10.0.0.2", "10.0.0.1"));
        Assert.Equal(IpsetApplyResult.Unchanged, await table.ApplyAsync());
        Assert.Empty(runner.Invocations);
    }

    [Fact]
    public async Task A_read_ahead_is_the_first_apply_s_read_and_nothing_is_read_twice()
    {
        var table = NewTable();
        await table.ReadIfDueAsync();
        Assert.Equal(["save"], runner.Invocations.Select(i => i.Arguments[0]));

        table.SetIpset(Pods("10.0.0.1", "10.0.0.2"));
        var result = await table.ApplyAsync();

        Assert.Equal(new IpsetApplyResult(true, 1, 0, 0, 0), result);
        Assert.Equal(["save", "restore"], runner.Invocations.Select(i => i.Arguments[0]));
        Assert.StartsWith("create rt-pods hash:ip family inet maxelem 1048576\n", Scripts()[0], StringComparison.Ordinal);

        runner.Invocations.Clear();
        await table.ReadIfDueAsync();
        Assert.Empty(runner.Invocations);
    }

    [Fact]
    public async Task A_read_ahead_grown_old_before_its_apply_does_not_spare_the_read_and_retry_after_a_refusal()
    {
        // A read ahead whose apply came late (its compile failed, the retry came a second later)
        // no longer says what the kernel holds: a refused restore reads again and retries.
        var restores = 0;
        runner.On("ipset", i => i.Arguments[0] != "restore" || ++restores > 1 ? FakeCommandRunner.Ok() : FakeCommandRunner.Fail("ipset v7.17: Error in line 1: Set cannot be created: set with the same name already exists\n"));
        var table = NewTable();
        await table.ReadIfDueAsync();
        clock.Advance(TimeSpan.FromSeconds(2));
        table.SetIpset(Pods("10.0.0.1"));

        var result = await table.ApplyAsync();

        Assert.True(result.ReadKernel);
        Assert.Equal(["save", "restore", "save", "restore"], runner.Invocations.Select(i => i.Arguments[0]));
    }

    [Fact]
    public async Task A_member_change_is_applied_from_what_was_written_without_reading_again()
    {
        var table = NewTable();
        table.SetIpset(Pods("10.0.0.1", "10.0.0.2"));
        await table.ApplyAsync();
        runner.Invocations.Clear();

        table.SetIpset(Pods("10.0.0.1", "10.0.0.3"));
        var result = await table.ApplyAsync();

        Assert.Equal(new IpsetApplyResult(false, 0, 1, 0, 0), result);
        Assert.Equal(["add rt-pods 10.0.0.3\ndel rt-pods 10.0.0.2\n"], Scripts());
    }

    [Fact]
    public async Task Updates_never_destroy_and_deletions_never_create()
    {
        runner.On("ipset", i => FakeCommandRunner.Ok(i.Arguments[0] == "save" ? "create rt-old hash:ip family inet maxelem 1048576\ncreate other hash:ip family inet\n" : ""));
        var table = NewTable();
        table.SetIpset(Pods("10.0.0.1"));

        Assert.Equal(new IpsetApplyResult(true, 1, 0, 0, 0), await table.ApplyUpdatesAsync());
        Assert.DoesNotContain("destroy", Scripts()[0], StringComparison.Ordinal);
        runner.Invocations.Clear();

        Assert.Equal(new IpsetApplyResult(false, 0, 0, 0, 1), await table.ApplyDeletionsAsync());
        Assert.Equal(["destroy rt-old\n"], Scripts());
        runner.Invocations.Clear();

        table.RemoveIpset("rt-pods");
        Assert.Equal(IpsetApplyResult.Unchanged, await table.ApplyUpdatesAsync());
        Assert.Empty(runner.Invocations);
        await table.ApplyDeletionsAsync();
        Assert.Equal(["destroy rt-pods\n"], Scripts());
    }

    [Fact]
    public async Task A_refused_batch_throws_and_the_next_apply_reads_first()
    {
        var table = NewTable();
        table.SetIpset(Pods("10.0.0.1"));
        runner.On("ipset", i => i.Arguments[0] == "save" ? FakeCommandRunner.Ok() : FakeCommandRunner.Fail("ipset v7.17: Error in line 1: Kernel error received: Operation not permitted\n"));

        var error = await Assert.ThrowsAsync<IpsetRestoreException>(() => table.ApplyAsync());

        Assert.Equal(1, error.LineNumber);
        runner.Invocations.Clear();
        await Assert.ThrowsAsync<IpsetRestoreException>(() => table.ApplyAsync());
        Assert.Equal("save", runner.Invocations[0].Arguments[0]);
    }

    [Fact]
    public async Task The_sets_are_read_again_once_the_refresh_interval_has_passed()
    {
        var table = NewTable(refresh: TimeSpan.FromSeconds(30));
        table.SetIpset(Pods("10.0.0.1"));
        await table.ApplyAsync();
        runner.Invocations.Clear();

        clock.Advance(TimeSpan.FromSeconds(30));
        var result = await table.ApplyAsync();

        // The fake kernel still has no sets, as if someone destroyed ours: created again.
        Assert.Equal(new IpsetApplyResult(true, 1, 0, 0, 0), result);
    }

    [Fact]
    public async Task Uninstall_destroys_every_set_of_ours_and_no_other()
    {
        runner.On("ipset", i => FakeCommandRunner.Ok(i.Arguments[0] == "save" ? "create rt-a hash:ip family inet\ncreate rt-h:xyz hash:net family inet\ncreate KUBE-A hash:ip family inet\n" : ""));
        var table = NewTable();

        Assert.Equal(new IpsetApplyResult(true, 0, 0, 0, 2), await table.UninstallAsync());
        Assert.Equal(["destroy rt-a\ndestroy rt-h:xyz\n"], Scripts());
    }

    [Fact]
    public void Sets_without_the_prefix_or_beyond_capacity_are_refused()
    {
        var table = new IpsetTable(new IpsetTableOptions { MaxElements = 2 }, runner);

        Assert.Throws<ArgumentException>(() => table.SetIpset(new Ipset("KUBE-X", IpsetType.HashIp, AddressFamily.InterNetwork, [])));
        Assert.Throws<ArgumentException>(() => table.SetIpset(new Ipset(IpsetNames.TemporaryFor("rt-", "rt-a"), IpsetType.HashIp, AddressFamily.InterNetwork, [])));
        Assert.Throws<ArgumentException>(() => table.SetIpset(Pods("10.0.0.1", "10.0.0.2", "10.0.0.3")));
        Assert.Equal("rt-pods", table.NameFor("pods"));
    }
}
