using Routing.Agent.Tests.Datastore.Kubernetes.Fake;
using YamlDotNet.RepresentationModel;

namespace Routing.Agent.Tests.Datastore.Kubernetes;

/// <summary>The CRDs in <c>manifests/crds/</c>, read as the API server would install them.</summary>
public static class CrdManifests
{
    public static string Directory { get; } = FindDirectory();

    public static IReadOnlyList<string> Files => System.IO.Directory.GetFiles(Directory, "*.yaml").Order(StringComparer.Ordinal).ToList();

    public static YamlMappingNode Load(string path)
    {
        var stream = new YamlStream();
        stream.Load(new StringReader(File.ReadAllText(path)));
        return (YamlMappingNode)Assert.Single(stream.Documents).RootNode;
    }

    /// <summary>What the API server serves once every CRD is applied.</summary>
    public static IEnumerable<FakeResourceType> ResourceTypes() =>
        Files.Select(Load).Select(crd =>
        {
            var spec = (YamlMappingNode)crd["spec"];
            var names = (YamlMappingNode)spec["names"];
            var version = (YamlMappingNode)((YamlSequenceNode)spec["versions"]).Children[0];
            return new FakeResourceType(
                Scalar(spec, "group"), Scalar(version, "name"), Scalar(names, "plural"), Scalar(names, "kind"),
                Namespaced: Scalar(spec, "scope") == "Namespaced", BuiltIn: false);
        });

    public static void InstallAll(FakeApiServer server)
    {
        foreach (var type in ResourceTypes())
        {
            server.Install(type);
        }
    }

    public static string Scalar(YamlMappingNode node, string key) => ((YamlScalarNode)node[key]).Value!;

    private static string FindDirectory()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Routing.sln")))
            {
                return Path.Combine(dir.FullName, "manifests", "crds");
            }
        }

        throw new DirectoryNotFoundException($"no Routing.sln above {AppContext.BaseDirectory}");
    }
}
