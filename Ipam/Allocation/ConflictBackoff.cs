using System.Diagnostics.CodeAnalysis;

namespace Routing.Ipam.Allocation;

/// <summary>Waits between retries of a conflicting write, and gives up after the policy's attempts.</summary>
internal sealed class ConflictBackoff(IpamRetryPolicy policy, TimeProvider time, Random random)
{
    private readonly Lock gate = new();

    /// <summary>Waits before retry number <paramref name="attempt"/> (1 after the first failure); throws once the attempts are used up.</summary>
    public async ValueTask WaitAsync(int attempt, string what, CancellationToken cancellationToken)
    {
        if (attempt >= policy.MaxAttempts)
        {
            throw new IpamException(
                IpamErrorKind.RetriesExhausted,
                $"gave up {what} after {policy.MaxAttempts} attempts: the datastore record kept changing under this writer (heavy contention); try again.");
        }

        var ceiling = Math.Min(policy.MaxDelay.Ticks, policy.BaseDelay.Ticks << Math.Min(attempt - 1, 20));
        var delay = TimeSpan.FromTicks(Next(ceiling + 1));
        if (delay > TimeSpan.Zero)
        {
            await Task.Delay(delay, time, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>A uniform number below <paramref name="bound"/> (a <see cref="UInt128"/> one for the spread of block searches).</summary>
    [SuppressMessage("Security", "CA5394:Do not use insecure randomness", Justification = "Jitter and spread, not secrets.")]
    public long Next(long bound)
    {
        lock (gate)
        {
            return random.NextInt64(bound);
        }
    }

    [SuppressMessage("Security", "CA5394:Do not use insecure randomness", Justification = "Jitter and spread, not secrets.")]
    public UInt128 Next(UInt128 bound)
    {
        if (bound <= long.MaxValue)
        {
            return (UInt128)Next((long)bound);
        }

        lock (gate)
        {
            var high = (ulong)random.NextInt64() << 1;
            var low = (ulong)random.NextInt64() << 1;
            return new UInt128(high, low) % bound;
        }
    }
}
