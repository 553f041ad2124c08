using Routing.TestKit.Namespaces;
using Routing.TestKit.Processes;

namespace Routing.Cni.Tests.Netns;

/// <summary>
/// The real agent (<c>out/bin/routing agent</c>, as scripts/setup publishes it) running in a node's
/// namespace from a file datastore with one IPPool, serving IPAM on its unix socket.
/// </summary>
internal sealed class NodeAgent : IAsyncDisposable
{
    private readonly DaemonProcess process;

    private NodeAgent(DaemonProcess process, string datastore, string socket)
    {
        this.process = process;
        Datastore = datastore;
        SocketPath = socket;
    }

    public static string RoutingBinary { get; } = Environment.GetEnvironmentVariable("ROUTING") is { Length: > 0 } set
        ? set
        : Path.Combine(Path.GetDirectoryName(PluginBinary.Path)!, "routing");

    /// <summary>file:PATH, for `routing ipam … --datastore`.</summary>
    public string Datastore { get; }

    public string SocketPath { get; }

    public bool HasExited => process.HasExited;

    /// <summary>Starts the agent in <paramref name="node"/>, its resources beside <paramref name="socket"/>; returns once the socket is there.</summary>
    public static async Task<NodeAgent> StartAsync(NetNs node, string socket, string nodeName = "node1", string cidr = "10.244.0.0/24", int blockSize = 26)
    {
        ArgumentNullException.ThrowIfNull(node);
        Skip.IfNot(File.Exists(RoutingBinary), $"{RoutingBinary} is not published (run scripts/setup, or set ROUTING)");
        var resources = Path.Combine(Path.GetDirectoryName(socket)!, "cluster.yaml");
        await File.WriteAllTextAsync(resources, $"""
            apiVersion: routing.dev/v1
            kind: RoutingNode
            metadata:
              name: {nodeName}
            spec:
              ipv4Address: {NodeLab.NodeAddress}/24
            ---
            apiVersion: routing.dev/v1
            kind: IPPool
            metadata:
              name: pods
            spec:
              cidr: {cidr}
              blockSize: {blockSize}
            """);
        var process = node.StartProcess("routing-agent", RoutingBinary, ["agent", "--node", nodeName, "--datastore", $"file:{resources}", "--api-socket", socket]);
        var agent = new NodeAgent(process, $"file:{resources}", socket);
        for (var waited = 0; !File.Exists(socket); waited += 50)
        {
            if (process.HasExited || waited > 30_000)
            {
                var log = process.ReadLog();
                await agent.DisposeAsync();
                throw new InvalidOperationException($"the agent did not open {socket}:\n{log}");
            }

            await Task.Delay(50);
        }

        return agent;
    }

    /// <summary>`routing ipam check` on the agent's datastore: exit status and output.</summary>
    public Task<CommandResult> IpamCheckAsync() => Command.RunAsync(RoutingBinary, ["ipam", "check", "--datastore", Datastore], null);

    /// <summary>`routing ipam show -o json` on the agent's datastore.</summary>
    public Task<CommandResult> IpamShowAsync() => Command.RunAsync(RoutingBinary, ["ipam", "show", "-o", "json", "--datastore", Datastore], null);

    public Task StopAsync() => process.StopAsync(TimeSpan.FromSeconds(5));

    public string ReadLog() => process.ReadLog();

    public ValueTask DisposeAsync() => process.DisposeAsync();
}
