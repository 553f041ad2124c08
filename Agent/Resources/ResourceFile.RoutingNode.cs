using Routing.Bgp.Wire;
using YamlDotNet.RepresentationModel;

namespace Routing.Agent.Resources;

public static partial class ResourceFile
{
    private static RoutingNode ReadRoutingNode(MappingReader spec, string name, Labels labels) => new()
    {
        Name = name,
        Labels = labels,
        AsNumber = spec.AsNumber("asNumber"),
        IPv4Address = spec.InterfaceAddress("ipv4Address", ipv6: false),
        IPv6Address = spec.InterfaceAddress("ipv6Address", ipv6: true),
        RouteReflectorClusterId = spec.IPv4Address("routeReflectorClusterID"),
        Advertise = ReadPrefixes(spec, "advertise"),
        IPv4VxlanTunnelAddress = spec.IPv4Address("ipv4VXLANTunnelAddr"),
        VxlanTunnelMacAddress = ReadMac(spec, "vxlanTunnelMACAddr"),
    };

    private static System.Net.NetworkInformation.PhysicalAddress? ReadMac(MappingReader spec, string key)
    {
        var value = spec.Value(key);
        var text = value is null ? null : spec.Scalar(key, value, "a MAC address");
        if (text is null)
        {
            return null;
        }

        if (text.Length == 17 && System.Net.NetworkInformation.PhysicalAddress.TryParse(text.Replace(':', '-'), out var mac))
        {
            return mac;
        }

        spec.Error(key, value, $"{FieldSyntax.Show(text)} is not a MAC address (e.g. 66:1e:3a:4f:00:01)");
        return null;
    }

    /// <summary>A list of prefixes in CIDR form with their host bits clear, each at most once.</summary>
    private static EquatableArray<Prefix> ReadPrefixes(MappingReader spec, string key)
    {
        var list = spec.Sequence(key);
        if (list is null)
        {
            return default;
        }

        var prefixes = new List<Prefix>(list.Children.Count);
        for (var i = 0; i < list.Children.Count; i++)
        {
            var item = list.Children[i];
            var field = $"{spec.FieldPath(key)}[{i}]";
            if (item is not YamlScalarNode { Value: { } text })
            {
                spec.Scope.Error(field, item, $"expected a prefix like 10.1.0.0/16, found {MappingReader.Describe(item)}");
                continue;
            }

            if (FieldSyntax.TryParsePrefix(text, out var prefix, out var hostBitsSet))
            {
                if (prefixes.Contains(prefix))
                {
                    spec.Scope.Error(field, item, $"{prefix} is listed twice");
                }

                prefixes.Add(prefix);
            }
            else if (hostBitsSet)
            {
                spec.Scope.Error(field, item, $"{FieldSyntax.Show(text)} has host bits set; did you mean {prefix}?");
            }
            else
            {
                var hint = FieldSyntax.TryParseAddress(text, out var address)
                    ? $"add the length, e.g. {address}/{(text.Contains(':', StringComparison.Ordinal) ? 128 : 32)} for one address"
                    : "e.g. 10.1.0.0/16 or 2001:db8:1::/48";
                spec.Scope.Error(field, item, $"{FieldSyntax.Show(text)} is not a prefix in CIDR form ({hint})");
            }
        }

        return prefixes.ToArray();
    }
}
