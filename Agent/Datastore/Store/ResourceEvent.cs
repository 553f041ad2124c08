namespace Routing.Agent.Datastore.Store;

public enum ResourceEventType
{
    Added,
    Modified,
    Deleted,

    /// <summary>Nothing changed, but the watch has seen everything up to <see cref="ResourceEvent.Revision"/> (Kubernetes bookmarks).</summary>
    Bookmark,
}

/// <summary>
/// One change seen by a watch. For <see cref="ResourceEventType.Deleted"/>, <see cref="Resource"/>
/// holds the last state the store had (or only the key, with empty JSON, where the store cannot
/// say); for <see cref="ResourceEventType.Bookmark"/> it is null.
/// </summary>
public sealed record ResourceEvent(ResourceEventType Type, StoredResource? Resource, string Revision);
