namespace Routing.Agent.Datastore.Etcd;

/// <summary>How patient the etcd datastore is with its endpoints.</summary>
public sealed record EtcdStoreOptions
{
    public static EtcdStoreOptions Default { get; } = new();

    /// <summary>How long one request may take at one endpoint before the next endpoint is tried.</summary>
    public TimeSpan RequestTimeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>How long a TCP connection to an endpoint may take to open.</summary>
    public TimeSpan ConnectTimeout { get; init; } = TimeSpan.FromSeconds(3);

    /// <summary>
    /// How often an open connection with calls in flight is pinged (HTTP/2 PING): a watch on a
    /// silent, dead connection is noticed after this plus as long again. etcd refuses pings more
    /// often than every 5 s (--grpc-keepalive-min-time).
    /// </summary>
    public TimeSpan KeepAliveInterval { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>The first pause before a lost watch reconnects; it doubles up to <see cref="MaxRetryDelay"/>.</summary>
    public TimeSpan RetryDelay { get; init; } = TimeSpan.FromMilliseconds(100);

    /// <summary>The longest pause between a lost watch's reconnection attempts.</summary>
    public TimeSpan MaxRetryDelay { get; init; } = TimeSpan.FromSeconds(2);
}
