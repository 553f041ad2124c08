namespace Routing.Agent.Datastore.Store;

/// <summary>Why a datastore operation failed in a way the caller handles (the others are I/O errors).</summary>
public enum ResourceStoreError
{
    /// <summary>Not one of the others: an exception made without saying why (the message-only constructors).</summary>
    Unknown,

    /// <summary>Create: a resource with that key exists (Kubernetes 409 AlreadyExists).</summary>
    AlreadyExists,

    /// <summary>Update or delete: the resource is not at the expected revision (Kubernetes 409 Conflict); read it again and retry.</summary>
    Conflict,

    /// <summary>Update or delete: there is no resource with that key (Kubernetes 404).</summary>
    NotFound,

    /// <summary>Watch: the revision to resume from is no longer kept (etcd compacted, Kubernetes 410 Gone); list again.</summary>
    Expired,
}

public sealed class ResourceStoreException : Exception
{
    public ResourceStoreException()
    {
        Error = ResourceStoreError.Unknown;
    }

    public ResourceStoreException(string message)
        : base(message)
    {
        Error = ResourceStoreError.Unknown;
    }

    public ResourceStoreException(string message, Exception innerException)
        : base(message, innerException)
    {
        Error = ResourceStoreError.Unknown;
    }

    public ResourceStoreException(ResourceStoreError error, ResourceKey? key, string message)
        : base(message)
    {
        Error = error;
        Key = key;
    }

    public ResourceStoreError Error { get; }

    public ResourceKey? Key { get; }
}
