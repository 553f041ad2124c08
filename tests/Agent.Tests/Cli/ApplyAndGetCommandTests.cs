using System.Text.Json.Nodes;

namespace Routing.Agent.Tests.Cli;

public sealed class ApplyAndGetCommandTests : IDisposable
{
    private const string Resources = """
        apiVersion: routing.dev/v1
        kind: BGPPeer
        metadata: {name: tor}
        spec: {peerIP: 10.0.0.254, asNumber: 65001}
        ---
        apiVersion: routing.dev/v1
        kind: IPPool
        metadata: {name: default-ipv4}
        spec: {cidr: 10.244.0.0/16, blockSize: 26, natOutgoing: true}
        """;

    private readonly string directory = Directory.CreateTempSubdirectory("routing-apply-").FullName;

    private string Datastore => "file:" + Path.Combine(directory, "resources.yaml");

    private static Task<(int ExitCode, string Output)> RunAsync(params string[] args) => Cli.RunAsync(args);

    private string Write(string name, string text)
    {
        var path = Path.Combine(directory, name);
        File.WriteAllText(path, text);
        return path;
    }

    [Fact]
    public async Task Apply_creates_then_reports_unchanged_then_configured_and_get_reads_it_back()
    {
        var file = Write("in.yaml", Resources);

        Assert.Equal((0, "bgppeer/tor created\nippool/default-ipv4 created\n"), await RunAsync("apply", "-f", file, "--datastore", Datastore));
        Assert.Equal((0, "bgppeer/tor unchanged\nippool/default-ipv4 unchanged\n"), await RunAsync("apply", "-f", file, "--datastore", Datastore));
        var changed = Write("changed.yaml", Resources.Replace("65001", "65002", StringComparison.Ordinal));
        Assert.Equal((0, "bgppeer/tor configured\nippool/default-ipv4 unchanged\n"), await RunAsync("apply", "-f", changed, "--datastore", Datastore));

        var (exit, json) = await RunAsync("get", "bgppeers", "tor", "-o", "json", "--datastore", Datastore);
        Assert.Equal(0, exit);
        Assert.Equal(65002, JsonNode.Parse(json)!["spec"]!["asNumber"]!.GetValue<int>());

        var (_, list) = await RunAsync("get", "IPPool", "-o", "json", "--datastore", Datastore);
        var items = JsonNode.Parse(list)!["items"]!.AsArray();
        Assert.Equal("10.244.0.0/16", Assert.Single(items)!["spec"]!["cidr"]!.GetValue<string>());

        var (_, yaml) = await RunAsync("get", "bgppeer", "-o", "yaml", "--datastore", Datastore);
        Assert.Contains("peerIP: 10.0.0.254", yaml, StringComparison.Ordinal);
        var (_, table) = await RunAsync("get", "bgppeer", "--datastore", Datastore);
        Assert.Contains("tor", table, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Apply_of_an_invalid_file_names_every_bad_field_and_writes_nothing()
    {
        var file = Write("bad.yaml", Resources + """

            ---
            apiVersion: routing.dev/v1
            kind: BGPPeer
            metadata: {name: broken}
            spec: {peerIP: 10.0.0.300, asNumbr: 1}
            """);

        var (exit, message) = await RunAsync("apply", "-f", file, "--datastore", Datastore);

        Assert.Equal(1, exit);
        Assert.Contains("spec.peerIP: 10.0.0.300 is not an IP address", message, StringComparison.Ordinal);
        Assert.Contains("spec.asNumbr: unknown field; did you mean asNumber?", message, StringComparison.Ordinal);
        Assert.False(File.Exists(Path.Combine(directory, "resources.yaml")));
    }

    [Fact]
    public async Task Get_names_what_is_missing_or_unknown()
    {
        Assert.Equal((1, "BGPPeer 'nope' not found"), await RunAsync("get", "bgppeer", "nope", "--datastore", Datastore));
        var (exit, message) = await RunAsync("get", "widgets", "--datastore", Datastore);
        Assert.Equal(1, exit);
        Assert.Contains("unknown kind 'widgets'", message, StringComparison.Ordinal);
        Assert.Equal((0, "No resources found.\n"), await RunAsync("get", "ippools", "--datastore", Datastore));
    }

    public void Dispose() => Directory.Delete(directory, recursive: true);
}
