using Routing.Agent.Datastore.Kubernetes;
using Routing.Agent.Resources;
using YamlDotNet.RepresentationModel;

namespace Routing.Agent.Tests.Datastore.Kubernetes;

/// <summary>manifests/crds/: one CRD per Routing kind, at the path the store uses, with the spec fields of the resource model.</summary>
public sealed class CrdManifestTests
{
    public static TheoryData<string, string[]> SpecFields { get; } = new()
    {
        { "RoutingNode", ["asNumber", "ipv4Address", "ipv6Address", "routeReflectorClusterID", "advertise"] },
        { "BGPConfiguration", ["asNumber", "listenPort", "nodeToNodeMeshEnabled", "logSeverityScreen", "routerId"] },
        {
            "BGPPeer",
            ["peerIP", "asNumber", "node", "nodeSelector", "peerSelector", "keepaliveTime", "holdTime", "passive", "sourceAddress", "password"]
        },
        { "IPPool", ["cidr", "blockSize", "nodeSelector", "disabled", "ipipMode", "vxlanMode", "natOutgoing"] },
        {
            "IPAMBlock",
            ["cidr", "affinity", "allocations", "unallocated", "attributes", "sequenceNumber", "sequenceNumberForAllocation", "strictAffinity", "deleted"]
        },
        { "BlockAffinity", ["node", "cidr", "state", "deleted"] },
        { "IPAMHandle", ["handleID", "block", "deleted"] },
        { "IPReservation", ["reservedCIDRs"] },
        { "GlobalNetworkPolicy", ["order", "selector", "namespaceSelector", "types", "ingress", "egress", "doNotTrack", "preDNAT", "applyOnForward"] },
    };

    [Fact]
    public void There_is_one_CRD_per_Routing_kind()
    {
        var kinds = CrdManifests.ResourceTypes().Select(t => t.Kind).Order(StringComparer.Ordinal);

        Assert.Equal(ResourceKinds.All.Order(StringComparer.Ordinal), kinds);
        Assert.Equal(ResourceKinds.All.Count, CrdManifests.Files.Count);
    }

    [Theory]
    [MemberData(nameof(SpecFields))]
    public void Each_CRD_is_cluster_scoped_under_routing_dev_v1_with_the_specs_fields(string kind, string[] fields)
    {
        var resource = KubernetesKinds.Find(kind);
        var file = Path.Combine(CrdManifests.Directory, resource.Plural + ".yaml");
        var crd = CrdManifests.Load(file);
        var spec = (YamlMappingNode)crd["spec"];
        var names = (YamlMappingNode)spec["names"];
        var version = (YamlMappingNode)Assert.Single(((YamlSequenceNode)spec["versions"]).Children);

        Assert.Equal("apiextensions.k8s.io/v1", CrdManifests.Scalar(crd, "apiVersion"));
        Assert.Equal("CustomResourceDefinition", CrdManifests.Scalar(crd, "kind"));
        Assert.Equal($"{resource.Plural}.routing.dev", CrdManifests.Scalar((YamlMappingNode)crd["metadata"], "name"));
        Assert.Equal(ResourceKinds.Group, CrdManifests.Scalar(spec, "group"));
        Assert.Equal("Cluster", CrdManifests.Scalar(spec, "scope"));
        Assert.Equal(kind, CrdManifests.Scalar(names, "kind"));
        Assert.Equal(kind + "List", CrdManifests.Scalar(names, "listKind"));
        Assert.Equal(resource.Plural, CrdManifests.Scalar(names, "plural"));
        Assert.Equal(kind.ToLowerInvariant(), CrdManifests.Scalar(names, "singular"));
        Assert.Equal(("v1", "true", "true"), (CrdManifests.Scalar(version, "name"), CrdManifests.Scalar(version, "served"), CrdManifests.Scalar(version, "storage")));

        var schema = (YamlMappingNode)((YamlMappingNode)version["schema"])["openAPIV3Schema"];
        var specSchema = (YamlMappingNode)((YamlMappingNode)schema["properties"])["spec"];
        Assert.Equal("object", CrdManifests.Scalar(specSchema, "type"));
        var properties = (YamlMappingNode)specSchema["properties"];
        Assert.Equal(fields.Order(StringComparer.Ordinal), properties.Children.Keys.Select(k => ((YamlScalarNode)k).Value!).Order(StringComparer.Ordinal));

        // A structural schema: every property says what it holds.
        foreach (var (name, property) in properties.Children)
        {
            var mapping = (YamlMappingNode)property;
            Assert.True(
                mapping.Children.ContainsKey("type") || mapping.Children.ContainsKey("x-kubernetes-int-or-string"),
                $"{kind} spec.{name} has no type");
            Assert.True(mapping.Children.ContainsKey("description"), $"{kind} spec.{name} has no description");
        }
    }
}
