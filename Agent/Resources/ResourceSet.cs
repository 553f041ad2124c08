using Routing.Bgp.Wire;

namespace Routing.Agent.Resources;

/// <summary>
/// Everything one parse of the datastore produced, swapped whole. Typed lists are ordered by
/// name, so two sets compare equal when they hold the same resources however the file orders them.
/// </summary>
public sealed record ResourceSet
{
    public static ResourceSet Empty { get; } = new();

    public EquatableArray<BgpConfiguration> BgpConfigurations { get; init; }

    public EquatableArray<RoutingNode> Nodes { get; init; }

    public EquatableArray<BgpPeer> BgpPeers { get; init; }

    /// <summary>Documents of kinds not parsed by this build, in file order.</summary>
    public EquatableArray<OpaqueResource> OpaqueResources { get; init; }

    /// <summary>The BGPConfiguration named <c>default</c>, or the defaults when there is none.</summary>
    public BgpConfiguration GlobalBgpConfiguration =>
        BgpConfigurations.FirstOrDefault(c => c.Name == BgpConfiguration.DefaultName) ?? BgpConfiguration.Default;

    public RoutingNode? FindNode(string name) => Nodes.FirstOrDefault(n => n.Name == name);

    public BgpPeer? FindBgpPeer(string name) => BgpPeers.FirstOrDefault(p => p.Name == name);

    public IEnumerable<OpaqueResource> OpaqueOfKind(string kind) => OpaqueResources.Where(r => r.Kind == kind);
}
