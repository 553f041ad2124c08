using System.Text.Json.Nodes;

namespace Routing.Agent.Tests.Cli;

public sealed class PolicyCommandTests : IDisposable
{
    private const string Cluster = """
        apiVersion: v1
        kind: Namespace
        metadata: {name: x}
        ---
        apiVersion: v1
        kind: Namespace
        metadata: {name: y, labels: {team: blue}}
        ---
        apiVersion: v1
        kind: Pod
        metadata: {namespace: x, name: a, labels: {pod: a}}
        spec:
          containers:
          - name: web
            ports: [{name: http, containerPort: 8080}, {name: dns, containerPort: 53, protocol: UDP}]
        status: {podIP: 10.0.1.1, podIPs: [{ip: 10.0.1.1}]}
        ---
        apiVersion: v1
        kind: Pod
        metadata: {namespace: x, name: b, labels: {pod: b}}
        status: {podIPs: [{ip: 10.0.1.2}]}
        ---
        apiVersion: v1
        kind: Pod
        metadata: {namespace: y, name: c, labels: {pod: c}}
        status: {podIPs: [{ip: 10.0.2.3}]}
        ---
        apiVersion: networking.k8s.io/v1
        kind: NetworkPolicy
        metadata: {namespace: x, name: a-from-blue}
        spec:
          podSelector: {matchLabels: {pod: a}}
          ingress:
          - from: [{podSelector: {matchLabels: {pod: b}}}]
            ports: [{port: 9999}]
          - from:
            - namespaceSelector: {matchExpressions: [{key: team, operator: In, values: [blue]}]}
            ports: [{port: http}]
        """;

    private readonly string directory = Directory.CreateTempSubdirectory("routing-policy-").FullName;

    private string Datastore(string text = Cluster)
    {
        var path = Path.Combine(directory, "cluster.yaml");
        File.WriteAllText(path, text);
        return "file:" + path;
    }

    [Fact]
    public async Task Explain_names_the_policy_and_rule_that_allowed()
    {
        var (exit, output) = await Cli.RunAsync("policy", "explain", "--from", "y/c", "--to", "x/a:8080/TCP", "--datastore", Datastore());
        Assert.Equal(0, exit);
        Assert.Equal(
            "y/c -> x/a:8080/TCP: allowed\n  egress  at y/c: no policy isolates the pod\n  ingress at x/a: allowed by x/a-from-blue ingress rule 1\n",
            output);
    }

    [Fact]
    public async Task Explain_says_which_policies_isolate_a_denied_pod()
    {
        var (exit, output) = await Cli.RunAsync("policy", "explain", "--from", "x/b", "--to", "x/a:8080/TCP", "--datastore", Datastore());
        Assert.Equal(0, exit);
        Assert.Contains("x/b -> x/a:8080/TCP: denied", output, StringComparison.Ordinal);
        Assert.Contains("ingress at x/a: denied, isolated by x/a-from-blue and no rule matches", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Explain_takes_addresses_and_defaults_to_the_named_ports()
    {
        var (exit, output) = await Cli.RunAsync("policy", "explain", "--from", "192.0.2.1", "--to", "10.0.1.1", "-o", "json", "--datastore", Datastore());
        Assert.Equal(0, exit);
        var verdicts = JsonNode.Parse(output)!.AsArray();
        Assert.Equal(["8080/TCP", "53/UDP"], verdicts.Select(v => $"{v!["port"]}/{v["protocol"]}"));
        Assert.All(verdicts, v => Assert.False(v!["allowed"]!.GetValue<bool>()));
        Assert.Equal("x/a", verdicts[0]!["to"]!.GetValue<string>());
        Assert.Equal("NotAPod", verdicts[0]!["egress"]!["outcome"]!.GetValue<string>());
        Assert.Equal("x/a-from-blue", verdicts[0]!["ingress"]!["isolatedBy"]![0]!.GetValue<string>());
    }

    [Fact]
    public async Task Explain_of_a_pod_nobody_isolates()
    {
        var (_, output) = await Cli.RunAsync("policy", "explain", "--from", "x/a", "--to", "y/c:80/UDP", "--datastore", Datastore());
        Assert.Contains("allowed\n  egress  at x/a: no policy isolates the pod\n  ingress at y/c: no policy isolates the pod", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Matrix_prints_every_pair_as_json()
    {
        var (exit, output) = await Cli.RunAsync("policy", "matrix", "--port", "8080/TCP", "-o", "json", "--datastore", Datastore());
        Assert.Equal(0, exit);
        var cells = JsonNode.Parse(output)!.AsArray();
        Assert.Equal(6, cells.Count);
        var cell = cells.Single(c => c!["from"]!.GetValue<string>() == "y/c" && c["to"]!.GetValue<string>() == "x/a")!;
        Assert.Equal(8080, cell["port"]!.GetValue<int>());
        Assert.Equal("TCP", cell["protocol"]!.GetValue<string>());
        Assert.True(cell["allowed"]!.GetValue<bool>());
        Assert.Contains("x/a-from-blue ingress rule 1", cell["reason"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Equal(["x/b -> x/a"], cells.Where(c => !c!["allowed"]!.GetValue<bool>()).Select(c => $"{c!["from"]} -> {c["to"]}"));
    }

    [Fact]
    public async Task Matrix_table_for_some_namespaces()
    {
        var (exit, output) = await Cli.RunAsync("policy", "matrix", "--namespaces", "x", "--datastore", Datastore());
        Assert.Equal(0, exit);
        Assert.Equal("80/TCP (rows: from, columns: to; . allowed, X denied)\n      x/a  x/b\nx/a     -    .\nx/b     X    -\n", output);
    }

    [Fact]
    public async Task An_invalid_policy_is_reported_with_its_field()
    {
        var bad = Cluster + "\n---\napiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {namespace: y, name: bad}\nspec:\n  podSelector: {}\n  egress: [{ports: [{port: 90, endPort: 80}]}]\n";
        var (exit, output) = await Cli.RunAsync("policy", "matrix", "--datastore", Datastore(bad));
        Assert.Equal(1, exit);
        Assert.Contains("NetworkPolicy y/bad: spec.egress[0].ports[0].endPort: the range 90-80 is inverted", output, StringComparison.Ordinal);
    }

    private const string GlobalDeny = """

        ---
        apiVersion: routing.dev/v1
        kind: GlobalNetworkPolicy
        metadata: {name: no-blue-to-a}
        spec:
          order: 100
          selector: pod == 'a'
          ingress:
          - action: Log
          - action: Deny
            protocol: TCP
            source: {namespaceSelector: team == 'blue'}
            destination: {ports: ['8000:8100']}
        """;

    [Fact]
    public async Task Explain_names_the_global_policy_and_rule_that_denied_before_the_NetworkPolicy()
    {
        var (exit, output) = await Cli.RunAsync("policy", "explain", "--from", "y/c", "--to", "x/a:8080/TCP", "-o", "json", "--datastore", Datastore(Cluster + GlobalDeny));
        Assert.Equal(0, exit);
        var ingress = JsonNode.Parse(output)!["ingress"]!;
        Assert.Equal("DeniedByRule", ingress["outcome"]!.GetValue<string>());
        Assert.Equal("GlobalNetworkPolicy/no-blue-to-a", ingress["policy"]!.GetValue<string>());
        Assert.Equal(1, ingress["rule"]!.GetValue<int>());
    }

    [Fact]
    public async Task An_invalid_global_policy_is_reported_with_its_field()
    {
        var bad = GlobalDeny.Replace("order: 100", "order: 100\n  doNotTrack: true", StringComparison.Ordinal).Replace("selector: pod == 'a'", "selector: pod == a", StringComparison.Ordinal);
        var (exit, output) = await Cli.RunAsync("policy", "matrix", "--datastore", Datastore(Cluster + bad));
        Assert.Equal(1, exit);
        Assert.Contains("GlobalNetworkPolicy no-blue-to-a: spec.selector: \"pod == a\" is not a selector: expected a quoted value", output, StringComparison.Ordinal);
        Assert.Contains("spec.doNotTrack: untracked policy is not supported by this agent", output, StringComparison.Ordinal);
    }

    public void Dispose() => Directory.Delete(directory, recursive: true);
}
