using System.Text;
using System.Text.Json;
using Routing.Cni.AgentApi;
using Routing.Cni.Protocol;
using Routing.TestKit;

namespace Routing.Cni.Tests.Commands;

/// <summary>Runs the plugin in-process, as a runtime would (environment + stdin), over a <see cref="RecordingWiring"/>.</summary>
internal sealed class InProcessPlugin
{
    public InProcessPlugin(string agentSocket)
    {
        AgentSocket = agentSocket;
        NetNs = Path.Combine(TestRun.NewDirectory("netns"), "pod");
        File.WriteAllText(NetNs, string.Empty);
    }

    public RecordingWiring Wiring { get; } = new();

    public string AgentSocket { get; }

    /// <summary>A file standing in for the pod's namespace (the plugin checks that CNI_NETNS exists).</summary>
    public string NetNs { get; }

    public string Config(string cniVersion = "1.1.0", string extra = "") =>
        $$"""{"cniVersion":"{{cniVersion}}","name":"k8s-pod-network","type":"routing","agentSocket":"{{AgentSocket}}","mtu":1450{{extra}}}""";

    public (int Exit, string Output) Run(string command, string config, string containerId = "c1", string pod = "web-1")
    {
        var environment = new Dictionary<string, string>
        {
            ["CNI_COMMAND"] = command,
            ["CNI_CONTAINERID"] = containerId,
            ["CNI_NETNS"] = NetNs,
            ["CNI_IFNAME"] = "eth0",
            ["CNI_PATH"] = "/usr/lib/cni",
            ["CNI_ARGS"] = $"K8S_POD_NAMESPACE=default;K8S_POD_NAME={pod};IgnoreUnknown=1",
        };
        using var output = new MemoryStream();
        var plugin = new CniPlugin(Wiring, config => new AgentIpamClient(config.AgentSocket, config.AgentTimeout));
        var exit = plugin.Execute(name => environment.GetValueOrDefault(name), new MemoryStream(Encoding.UTF8.GetBytes(config)), output, []);
        return (exit, Encoding.UTF8.GetString(output.ToArray()));
    }

    public static int Code(string output)
    {
        using var json = JsonDocument.Parse(output);
        return json.RootElement.GetProperty("code").GetInt32();
    }
}
