namespace Routing.Ipam.Allocation;

/// <summary>
/// How often a write that lost a compare-and-swap is redone, and how long to wait between tries:
/// a random delay up to <see cref="BaseDelay"/> doubled per try, at most <see cref="MaxDelay"/>
/// ("full jitter"), so writers that collided do not collide again in step.
/// </summary>
public sealed record IpamRetryPolicy(int MaxAttempts, TimeSpan BaseDelay, TimeSpan MaxDelay)
{
    public static IpamRetryPolicy Default { get; } = new(50, TimeSpan.FromMilliseconds(2), TimeSpan.FromMilliseconds(200));
}
