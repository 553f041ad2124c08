using Routing.Agent.Tests.Datastore.Kubernetes;
using Routing.TestKit.Processes;
using YamlDotNet.RepresentationModel;

namespace Routing.Agent.Tests.Manifests;

/// <summary>The repository's manifests/ and the strict validator that checks them.</summary>
internal static class Manifests
{
    public static string Directory { get; } = System.IO.Directory.GetParent(CrdManifests.Directory)!.FullName;

    public static string Validator { get; } = System.IO.Path.Combine(AppContext.BaseDirectory, "Manifests", "validate_manifests.py");

    /// <summary>Every YAML manifest: the CRDs, RBAC, the DaemonSet and the examples.</summary>
    public static IReadOnlyList<string> All { get; } =
        [.. System.IO.Directory.GetFiles(Directory, "*.yaml", SearchOption.AllDirectories).Order(StringComparer.Ordinal)];

    public static string Path(params string[] parts) => System.IO.Path.Combine([Directory, .. parts]);

    /// <summary>Runs the validator (Debian's python3 with python3-kubernetes and python3-jsonschema) on files.</summary>
    public static Task<CommandResult> ValidateAsync(params string[] files) =>
        Command.RunAsync("/usr/bin/python3", [Validator, CrdManifests.Directory, .. files], null);

    public static IReadOnlyList<YamlMappingNode> Documents(string file)
    {
        var stream = new YamlStream();
        using (var reader = new StreamReader(file))
        {
            stream.Load(reader);
        }

        return [.. stream.Documents.Select(d => d.RootNode).OfType<YamlMappingNode>()];
    }

    public static YamlMappingNode Map(YamlNode node, params string[] path)
    {
        foreach (var key in path)
        {
            node = ((YamlMappingNode)node)[key];
        }

        return (YamlMappingNode)node;
    }

    public static IReadOnlyList<YamlNode> Seq(YamlNode node, params string[] path)
    {
        for (var i = 0; i < path.Length - 1; i++)
        {
            node = ((YamlMappingNode)node)[path[i]];
        }

        return [.. ((YamlSequenceNode)((YamlMappingNode)node)[path[^1]]).Children];
    }

    public static string Text(YamlNode node, params string[] path)
    {
        for (var i = 0; i < path.Length; i++)
        {
            node = ((YamlMappingNode)node)[path[i]];
        }

        return ((YamlScalarNode)node).Value!;
    }

    public static IReadOnlyList<string> Texts(YamlNode node, params string[] path) =>
        [.. Seq(node, path).Select(n => ((YamlScalarNode)n).Value!)];
}
