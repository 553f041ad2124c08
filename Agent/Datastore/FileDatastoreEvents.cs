using Routing.Agent.Resources;

namespace Routing.Agent.Datastore;

/// <summary>The file was edited and now holds a different, valid set of resources.</summary>
public sealed class ResourceSetChangedEventArgs(ResourceSet previous, ResourceSet current) : EventArgs
{
    public ResourceSet Previous { get; } = previous;

    public ResourceSet Current { get; } = current;
}

/// <summary>
/// The file was edited but cannot be used: <see cref="Error"/> is a <see cref="ResourceValidationException"/>
/// listing every problem, or the <see cref="IOException"/> that stopped it being read. The last good set stays in force.
/// </summary>
public sealed class ResourceSetRejectedEventArgs(Exception error, ResourceSet kept) : EventArgs
{
    public Exception Error { get; } = error;

    /// <summary>The set still in force.</summary>
    public ResourceSet Kept { get; } = kept;
}
