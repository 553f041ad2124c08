namespace Routing.Agent.Node;

public sealed record NodeAgentOptions
{
    /// <summary>How long a starting agent waits for its peers' tables before it removes kernel routes it no longer wants.</summary>
    public TimeSpan InitialSyncTimeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>How long peers are asked to keep this node's routes while its agent restarts (RFC 4724 restart time).</summary>
    public TimeSpan GracefulRestartTime { get; init; } = TimeSpan.FromSeconds(120);

    /// <summary>Wait before reading the datastore again after a failure.</summary>
    public TimeSpan RetryDelay { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>How often the node's links are looked at for the pods' veths (found, gone, replaced).</summary>
    public TimeSpan PodLinkInterval { get; init; } = TimeSpan.FromSeconds(1);
}
