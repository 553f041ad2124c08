using Routing.Agent.Datastore.FileStore;
using Routing.Agent.PolicyRules;
using Routing.Agent.Resources;
using YamlDotNet.Serialization;

namespace Routing.Agent.Tests.Manifests;

/// <summary>
/// Every manifest is valid for the API server that would receive it: Kubernetes' kinds against the
/// typed models of the Kubernetes client, Routing's kinds against their CRD schemas; the examples
/// also pass the agent's own reading of them (what <c>routing apply</c> and the policy loop accept).
/// </summary>
public sealed class ManifestValidationTests
{
    public static TheoryData<string> Files { get; } = [.. Manifests.All.Select(f => Path.GetRelativePath(Manifests.Directory, f))];

    [Theory]
    [MemberData(nameof(Files))]
    public async Task The_manifest_is_valid_against_its_schemas(string file)
    {
        var result = await Manifests.ValidateAsync(Manifests.Path(file));

        Assert.True(result.ExitCode == 0, $"{file}:\n{result.StandardOutput}{result.StandardError}");
    }

    [Fact]
    public async Task The_validator_names_unknown_fields_wrong_types_bad_enums_and_missing_required_fields()
    {
        var dir = Routing.TestKit.TestRun.NewDirectory("bad-manifests");
        var daemonSet = Path.Combine(dir, "daemonset.yaml");
        await File.WriteAllTextAsync(daemonSet, (await File.ReadAllTextAsync(Manifests.Path("daemonset.yaml"))).Replace("hostNetwork: true", "hostNetwrk: true", StringComparison.Ordinal));
        var pool = Path.Combine(dir, "pool.yaml");
        await File.WriteAllTextAsync(pool, """
            apiVersion: routing.dev/v1
            kind: IPPool
            metadata: {name: p}
            spec: {cidr: 10.0.0.0/16, blockSize: "26", vxlanMode: Sometimes, colour: red}
            ---
            apiVersion: apps/v1
            kind: DaemonSet
            metadata: {name: d}
            spec: {template: {}}
            """);

        var result = await Manifests.ValidateAsync(daemonSet, pool);

        Assert.Equal(1, result.ExitCode);
        Assert.Contains("document 1 (DaemonSet/routing-node).spec.template.spec.hostNetwrk: unknown field in V1PodSpec", result.StandardOutput, StringComparison.Ordinal);
        Assert.Contains("(IPPool/p).spec: Additional properties are not allowed ('colour' was unexpected)", result.StandardOutput, StringComparison.Ordinal);
        Assert.Contains("(IPPool/p).spec.blockSize: '26' is not of type 'integer'", result.StandardOutput, StringComparison.Ordinal);
        Assert.Contains("(IPPool/p).spec.vxlanMode: 'Sometimes' is not one of", result.StandardOutput, StringComparison.Ordinal);
        Assert.Contains("(DaemonSet/d): Invalid value for `selector`, must not be `None`", result.StandardOutput, StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(Examples))]
    public void The_examples_routing_resources_are_accepted_by_the_agent(string file)
    {
        var documents = Manifests.Documents(Manifests.Path(file));
        var yaml = new SerializerBuilder().Build();
        var ours = documents.Where(d => Manifests.Text(d, "apiVersion") == ResourceKinds.ApiVersion).ToList();
        var text = string.Join("---\n", ours.Select(d => yaml.Serialize(d)));

        var set = ResourceFile.Parse(text, file);

        Assert.NotNull(set);
        foreach (var policy in documents.Where(d => Manifests.Text(d, "kind") == "NetworkPolicy"))
        {
            Assert.NotNull(PolicyResourceReader.ReadNetworkPolicy(YamlJson.ToJson(policy)));
        }
    }

    public static TheoryData<string> Examples { get; } =
        [.. Directory.GetFiles(Manifests.Path("examples"), "*.yaml").Order(StringComparer.Ordinal).Select(f => Path.Combine("examples", Path.GetFileName(f)))];
}
