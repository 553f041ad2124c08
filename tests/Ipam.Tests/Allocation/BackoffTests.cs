using Routing.Ipam.Allocation;
using Routing.Ipam.Store;
using Routing.TestKit.Time;

namespace Routing.Ipam.Tests.Allocation;

public class BackoffTests
{
    /// <summary>Always draws the longest delay allowed, so the wait is known.</summary>
    private sealed class LongestDelay : Random
    {
        public override long NextInt64(long maxValue) => maxValue - 1;
    }

    /// <summary>The manual clock, counting the timers the allocator asks for (one per wait).</summary>
    private sealed class CountingClock(ManualTimeProvider clock) : TimeProvider
    {
        private int timers;

        public int Timers => Volatile.Read(ref timers);

        public override DateTimeOffset GetUtcNow() => clock.GetUtcNow();

        public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
        {
            // Counted once the timer is on the clock: the allocator waits on a task of its own, and a
            // test that advances the clock as soon as it sees the count must not get there first.
            var timer = clock.CreateTimer(callback, state, dueTime, period);
            Interlocked.Increment(ref timers);
            return timer;
        }
    }

    [Fact]
    public async Task A_conflict_waits_a_jittered_delay_on_the_injected_clock()
    {
        var bed = new IpamTestBed();
        await bed.AddPoolAsync("10.0.0.0/16");
        var manual = new ManualTimeProvider();
        var clock = new CountingClock(manual);
        var policy = new IpamRetryPolicy(5, TimeSpan.FromMilliseconds(10), TimeSpan.FromMilliseconds(15));
        var allocator = new IpamAllocator(bed.Store, new IpamOptions { Retry = policy }, time: clock, random: new LongestDelay());
        await allocator.AutoAssignAsync(IpamTestBed.Request("a", "n1"));

        var conflicts = 0;
        bed.Store.BeforeWrite = write =>
        {
            if (write.Kind == IpamKinds.Block && conflicts < 2)
            {
                conflicts++;
                throw new IpamStoreException(IpamStoreError.Conflict, write.Kind, write.Name);
            }
        };

        var pending = allocator.AutoAssignAsync(IpamTestBed.Request("b", "n1"));
        Assert.True(SpinWait.SpinUntil(() => clock.Timers == 1, TimeSpan.FromSeconds(30)));   // block writes are served on a task of their own
        manual.Advance(TimeSpan.FromMilliseconds(9));
        Assert.False(pending.IsCompleted);
        manual.Advance(TimeSpan.FromMilliseconds(1));   // first retry after 10 ms (the base delay)
        Assert.True(SpinWait.SpinUntil(() => clock.Timers == 2, TimeSpan.FromSeconds(30)));
        Assert.Equal(2, conflicts);
        Assert.False(pending.IsCompleted);
        manual.Advance(TimeSpan.FromMilliseconds(14));
        Assert.False(pending.IsCompleted);
        manual.Advance(TimeSpan.FromMilliseconds(1));   // second after 15 ms (20 ms, capped at the maximum)
        Assert.Single((await pending).IPv4);
    }
}
