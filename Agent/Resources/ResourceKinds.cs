namespace Routing.Agent.Resources;

/// <summary>The API group, version and kinds of Routing's own resources.</summary>
public static class ResourceKinds
{
    public const string Group = "routing.dev";

    public const string ApiVersion = "routing.dev/v1";

    public const string RoutingNode = "RoutingNode";

    public const string BgpConfiguration = "BGPConfiguration";

    public const string BgpPeer = "BGPPeer";

    public const string IPPool = "IPPool";

    public const string GlobalNetworkPolicy = "GlobalNetworkPolicy";

    public const string IpamBlock = "IPAMBlock";

    public const string BlockAffinity = "BlockAffinity";

    public const string IpamHandle = "IPAMHandle";

    public const string IPReservation = "IPReservation";

    /// <summary>Every kind served under <see cref="ApiVersion"/>, parsed into typed records or not yet.</summary>
    public static IReadOnlyList<string> All { get; } =
        [RoutingNode, BgpConfiguration, BgpPeer, IPPool, GlobalNetworkPolicy, IpamBlock, BlockAffinity, IpamHandle, IPReservation];

    /// <summary>The kinds <see cref="ResourceFile"/> parses into typed records; the others are kept opaque.</summary>
    public static IReadOnlyList<string> Typed { get; } = [RoutingNode, BgpConfiguration, BgpPeer];
}
