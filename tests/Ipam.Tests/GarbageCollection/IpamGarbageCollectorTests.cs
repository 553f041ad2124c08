using Routing.Ipam.Allocation;
using Routing.Ipam.GarbageCollection;
using Routing.TestKit.Time;

namespace Routing.Ipam.Tests.GarbageCollection;

public class IpamGarbageCollectorTests
{
    private readonly IpamTestBed bed = new();
    private readonly ManualTimeProvider clock = new();

    [Fact]
    public async Task A_leak_is_released_after_the_grace_period_and_a_live_address_never()
    {
        await bed.AddPoolAsync("10.0.0.0/16");
        var allocator = bed.Allocator();
        var live = await allocator.AutoAssignAsync(IpamTestBed.Request("live", "n1"));
        var leaked = await allocator.AutoAssignAsync(IpamTestBed.Request("gone", "n1"));
        var gc = new IpamGarbageCollector(bed.Store, allocator, clock);
        var liveHandles = new HashSet<string> { "live" };

        var first = await gc.CollectAsync(liveHandles);
        var candidate = Assert.Single(first.Candidates);
        Assert.Equal(leaked.IPv4[0].Address, candidate.Address);
        Assert.Equal("gone", candidate.HandleId);
        Assert.Empty(first.Released);

        clock.Advance(TimeSpan.FromMinutes(14));
        Assert.Empty((await gc.CollectAsync(liveHandles)).Released);

        clock.Advance(TimeSpan.FromMinutes(1));
        var due = await gc.CollectAsync(liveHandles);
        Assert.Equal(leaked.IPv4[0].Address, Assert.Single(due.Released).Address);
        Assert.Empty(due.Candidates);
        Assert.Null(await bed.Store.Handles.GetAsync("gone"));
        Assert.Single(await allocator.GetByHandleAsync("live"));

        clock.Advance(TimeSpan.FromHours(5));
        Assert.Empty((await gc.CollectAsync(liveHandles)).Released);
        Assert.Equal(live.IPv4[0].Address, Assert.Single(await allocator.GetByHandleAsync("live")).Address);
    }

    [Fact]
    public async Task A_candidate_whose_owner_appears_is_forgotten()
    {
        await bed.AddPoolAsync("10.0.0.0/16");
        var allocator = bed.Allocator();
        await allocator.AutoAssignAsync(IpamTestBed.Request("starting", "n1"));
        var gc = new IpamGarbageCollector(bed.Store, allocator, clock);

        Assert.Single((await gc.CollectAsync(new HashSet<string>())).Candidates);
        clock.Advance(TimeSpan.FromMinutes(10));
        Assert.Empty((await gc.CollectAsync(new HashSet<string> { "starting" })).Candidates);
        clock.Advance(TimeSpan.FromMinutes(10));
        var report = await gc.CollectAsync(new HashSet<string>());
        Assert.Empty(report.Released);
        Assert.Single(report.Candidates);
    }

    [Fact]
    public async Task An_address_handed_out_again_since_it_was_seen_leaking_is_not_released()
    {
        await bed.AddPoolAsync("10.0.0.0/30", 30);
        var allocator = bed.Allocator();
        var leaked = (await allocator.AutoAssignAsync(IpamTestBed.Request("gone", "n1"))).IPv4[0];
        var gc = new IpamGarbageCollector(bed.Store, allocator, clock, TimeSpan.FromMinutes(1));
        Assert.Single((await gc.CollectAsync(new HashSet<string>())).Candidates);

        // Released by its CNI DEL after all, and reused by a new pod the caller does not know yet.
        await allocator.ReleaseByHandleAsync("gone");
        await allocator.AutoAssignAsync(IpamTestBed.Request("filler", "n1", ipv4: 3));
        var reused = await allocator.AutoAssignAsync(IpamTestBed.Request("new", "n1"));
        Assert.Equal(leaked.Address, reused.IPv4[0].Address);

        clock.Advance(TimeSpan.FromMinutes(2));
        var report = await gc.CollectAsync(new HashSet<string> { "filler" });
        Assert.Empty(report.Released);
        Assert.Equal("new", Assert.Single(report.Candidates).HandleId);
        Assert.Single(await allocator.GetByHandleAsync("new"));
    }
}
