using System.CommandLine;
using Routing.Agent.Datastore;
using Routing.Agent.Datastore.Store;

namespace Routing.Agent.Cli;

/// <summary><c>--datastore URI</c> for the commands that read or write the datastore directly (default: <c>$ROUTING_DATASTORE</c>).</summary>
internal static class DatastoreOption
{
    public const string Variable = "ROUTING_DATASTORE";

    public static Option<string?> Create() => new("--datastore")
    {
        Description = $"Where the cluster's resources are: file:PATH, etcd:http://HOST:PORT or kubernetes (default: ${Variable})",
        DefaultValueFactory = _ => Environment.GetEnvironmentVariable(Variable),
    };

    public static IResourceStore Open(string? value)
    {
        if (string.IsNullOrWhiteSpace(value))
        {
            throw new CliException($"--datastore is required (or set {Variable}), e.g. --datastore file:/etc/routing/resources.yaml");
        }

        if (!DatastoreUri.TryParse(value, out var uri, out var problem))
        {
            throw new CliException($"--datastore: {problem}");
        }

        return ResourceStores.Open(uri);
    }
}
