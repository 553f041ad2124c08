namespace Routing.Bgp.Wire.Capabilities;

/// <summary>The capability decoders by code; a code not here is kept as <see cref="UnknownCapability"/>.</summary>
internal static class CapabilityTable
{
    private delegate Capability? DecodeValue(ReadOnlySpan<byte> value);

    private static readonly Dictionary<byte, (string Name, DecodeValue Decode)> Decoders = new()
    {
        [CapabilityCode.Multiprotocol] = ("multiprotocol", MultiprotocolCapability.Decode),
        [CapabilityCode.RouteRefresh] = ("route-refresh", RouteRefreshCapability.Decode),
        [CapabilityCode.ExtendedNextHop] = ("extended-nexthop", ExtendedNextHopCapability.Decode),
        [CapabilityCode.ExtendedMessage] = ("extended-message", ExtendedMessageCapability.Decode),
        [CapabilityCode.GracefulRestart] = ("graceful-restart", GracefulRestartCapability.Decode),
        [CapabilityCode.FourOctetAs] = ("4-octet-as", FourOctetAsCapability.Decode),
        [CapabilityCode.AddPath] = ("add-path", AddPathCapability.Decode),
        [CapabilityCode.EnhancedRouteRefresh] = ("enhanced-route-refresh", EnhancedRouteRefreshCapability.Decode),
    };

    /// <summary>Decodes one capability value; null if a known capability's value is malformed.</summary>
    public static Capability? Decode(byte code, ReadOnlySpan<byte> value) =>
        Decoders.TryGetValue(code, out var entry) ? entry.Decode(value) : new UnknownCapability(code, value.ToArray());

    public static string Name(byte code) => Decoders.TryGetValue(code, out var entry) ? entry.Name : $"capability-{code}";
}
