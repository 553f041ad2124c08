using System.Threading.Channels;
using Routing.Agent.Resources;

namespace Routing.Agent.Datastore;

/// <summary>The cluster's resources as the agent's calculations see them: one valid set in force, and each new one.</summary>
public interface IResourceSource : IAsyncDisposable
{
    /// <summary>Where the resources come from, for logs ("/etc/routing/cluster.yaml", "etcd:http://…").</summary>
    string Description { get; }

    /// <summary>The resources in force: the last valid set read.</summary>
    ResourceSet Current { get; }

    /// <summary>Each new set in force, starting with the first; a slow reader skips to the newest.</summary>
    ChannelReader<ResourceSet> Updates { get; }

    /// <summary>A change that cannot be used: the last good set stays in force.</summary>
    event EventHandler<ResourceSetRejectedEventArgs>? Rejected;
}
