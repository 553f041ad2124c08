namespace Routing.Agent.Datastore.Kubernetes;

/// <summary>Tuning of <see cref="KubernetesResourceStore"/>; the defaults are client-go's where it has one.</summary>
public sealed record KubernetesStoreOptions
{
    /// <summary>The longest a get, list page or write may take.</summary>
    public TimeSpan RequestTimeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// How long the server keeps one watch request open (<c>timeoutSeconds</c>; whole seconds) before
    /// the store watches again from where it was. client-go picks 5 to 10 minutes.
    /// </summary>
    public TimeSpan WatchTimeout { get; init; } = TimeSpan.FromMinutes(5);

    /// <summary>Items per list page (<c>limit</c>); client-go's pager asks for 500.</summary>
    public int PageSize { get; init; } = 500;

    /// <summary>The first wait before watching again after a failure; it doubles up to <see cref="MaxRetryDelay"/>.</summary>
    public TimeSpan RetryDelay { get; init; } = TimeSpan.FromMilliseconds(100);

    public TimeSpan MaxRetryDelay { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>Failed attempts in a row to open a watch before the enumeration throws the last error.</summary>
    public int MaxWatchAttempts { get; init; } = 10;
}
