using System.Net;
using System.Text;
using Routing.Cni.Config;
using Routing.Cni.Protocol;

namespace Routing.Cni.Tests.Config;

public sealed class NetworkConfigReaderTests
{
    private static PluginConfig Read(string json, CniCommand command = CniCommand.Add) =>
        NetworkConfigReader.Read(Encoding.UTF8.GetBytes(json), command);

    private static CniException Fails(string json, CniCommand command = CniCommand.Add) =>
        Assert.Throws<CniException>(() => Read(json, command));

    [Fact]
    public void The_conflist_the_DaemonSet_installs_gives_the_plugin_a_valid_configuration()
    {
        var path = Path.Combine(AppContext.BaseDirectory, "..", "..", "..", "..", "..", "manifests", "cni", "10-routing.conflist");
        using var conflist = System.Text.Json.JsonDocument.Parse(File.ReadAllText(path));
        var root = conflist.RootElement;
        var entry = Assert.Single(root.GetProperty("plugins").EnumerateArray().ToArray());

        // As a runtime does: the list's cniVersion and name go into each plugin's configuration.
        var node = System.Text.Json.Nodes.JsonNode.Parse(entry.GetRawText())!.AsObject();
        node["cniVersion"] = root.GetProperty("cniVersion").GetString();
        node["name"] = root.GetProperty("name").GetString();
        var config = Read(node.ToJsonString());

        Assert.Equal(("1.1.0", "k8s-pod-network", 1450, "/run/routing/agent.sock", "cali"), (config.CniVersion, config.Name, config.Mtu, config.AgentSocket, config.VethPrefix));
    }

    [Theory]
    [InlineData("{")]
    [InlineData("")]
    [InlineData("[1,2]")]
    public void Malformed_json_is_error_6(string json) =>
        Assert.Equal(CniErrorCode.DecodeFailure, Fails(json).Code);

    [Theory]
    [InlineData("""{"cniVersion":"1.1.0","name":"n","mtu":"big"}""", "mtu")]
    [InlineData("""{"cniVersion":"1.1.0","name":"n","ipam":{"ipv4_pools":"p"}}""", "ipam.ipv4_pools")]
    [InlineData("""{"cniVersion":"1.1.0"}""", "name")]
    [InlineData("""{"cniVersion":"1.1.0","name":"n","type":"bridge"}""", "type")]
    [InlineData("""{"cniVersion":"1.1.0","name":"n","mtu":9}""", "mtu")]
    [InlineData("""{"cniVersion":"1.1.0","name":"n","runtimeConfig":{"mtu":70000}}""", "runtimeConfig.mtu")]
    [InlineData("""{"cniVersion":"1.1.0","name":"n","runtimeConfig":{"ips":["nope"]}}""", "runtimeConfig.ips[0]")]
    [InlineData("""{"cniVersion":"1.1.0","name":"n","vethPrefix":"toolong"}""", "vethPrefix")]
    [InlineData("""{"cniVersion":"1.1.0","name":"n","ipam":{"assign_ipv4":"maybe"}}""", "ipam.assign_ipv4")]
    [InlineData("""{"cniVersion":"1.1.0","name":"n","prevResult":{"ips":[{"address":"x"}]}}""", "prevResult")]
    public void A_wrong_field_is_error_7_naming_it(string json, string field)
    {
        var e = Fails(json);

        Assert.Equal(CniErrorCode.InvalidNetworkConfig, e.Code);
        Assert.Contains(field, e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("""{"name":"n"}""", CniCommand.Add)]
    [InlineData("""{"cniVersion":"0.2.0","name":"n"}""", CniCommand.Add)]
    [InlineData("""{"cniVersion":"2.0.0","name":"n"}""", CniCommand.Add)]
    [InlineData("""{"cniVersion":"0.3.1","name":"n"}""", CniCommand.Check)]
    [InlineData("""{"cniVersion":"1.0.0","name":"n"}""", CniCommand.Status)]
    [InlineData("""{"cniVersion":"1.0.0","name":"n"}""", CniCommand.Gc)]
    public void An_unsupported_version_or_a_command_too_new_for_it_is_error_1(string json, CniCommand command)
    {
        var e = Fails(json, command);

        Assert.Equal(CniErrorCode.IncompatibleVersion, e.Code);
        Assert.Contains("cniVersion", e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("0.3.0")]
    [InlineData("0.3.1")]
    [InlineData("0.4.0")]
    [InlineData("1.0.0")]
    [InlineData("1.1.0")]
    public void Every_supported_version_reads(string version) =>
        Assert.Equal(version, Read($$"""{"cniVersion":"{{version}}","name":"n","type":"routing"}""").CniVersion);

    [Fact]
    public void Defaults_and_calico_style_fields()
    {
        var config = Read("""
            {
              // comments are tolerated, as libcni's JSON reader does not
              "cniVersion": "1.1.0", "name": "k8s-pod-network", "type": "routing", "mtu": 1440,
              "ipam": { "type": "routing", "assign_ipv4": "true", "assign_ipv6": true, "ipv4_pools": ["default-ipv4"] },
              "runtimeConfig": { "ips": ["10.1.2.3/24", "fd00::5"], "mtu": 1400 },
              "someOtherPluginsKey": { "x": 1 }
            }
            """);

        Assert.Equal(1400, config.Mtu);
        Assert.True(config.AssignIPv4);
        Assert.True(config.AssignIPv6);
        Assert.Equal(["default-ipv4"], config.Pools);
        Assert.Equal([IPAddress.Parse("10.1.2.3"), IPAddress.Parse("fd00::5")], config.RequestedAddresses);
        Assert.Equal(PluginConfig.DefaultAgentSocket, config.AgentSocket);
        Assert.Equal("cali", config.VethPrefix);
        Assert.Equal("k8s-pod-network.abc.eth0", config.HandleFor("abc", "eth0"));
    }

    [Fact]
    public void Gc_reads_valid_attachments_and_the_draft_name()
    {
        var config = Read("""{"cniVersion":"1.1.0","name":"net","cni.dev/valid-attachments":[{"containerID":"a","ifname":"eth0"}]}""", CniCommand.Gc);
        var draft = Read("""{"cniVersion":"1.1.0","name":"net","cni.dev/attachments":[{"containerID":"b","ifname":"eth1"}]}""", CniCommand.Gc);

        Assert.Equal(["net.a.eth0"], config.ValidAttachments!);
        Assert.Equal(["net.b.eth1"], draft.ValidAttachments!);
    }
}
