namespace Routing.Agent.Datastore;

/// <summary>How a <see cref="FileDatastore"/> notices changes.</summary>
public sealed record FileDatastoreOptions
{
    public static FileDatastoreOptions Default { get; } = new();

    /// <summary>How often the file's time and size are checked, in case a change notification was missed.</summary>
    public TimeSpan PollInterval { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>How long to wait after a change notification for more, so a burst of writes is read once.</summary>
    public TimeSpan CoalesceDelay { get; init; } = TimeSpan.FromMilliseconds(200);

    /// <summary>Watch the directory with <see cref="FileSystemWatcher"/>; when false, only polling notices changes.</summary>
    public bool UseFileSystemWatcher { get; init; } = true;

    public TimeProvider TimeProvider { get; init; } = TimeProvider.System;
}
