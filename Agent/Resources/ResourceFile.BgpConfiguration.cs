using Routing.Bgp.Wire;
using YamlDotNet.RepresentationModel;

namespace Routing.Agent.Resources;

public static partial class ResourceFile
{
    // Calico's logSeverityScreen values.
    private static readonly string[] LogSeverities = ["Debug", "Info", "Warning", "Error", "Fatal"];

    private static BgpConfiguration ReadBgpConfiguration(MappingReader spec, string name, Labels labels)
    {
        var severity = spec.String("logSeverityScreen");
        if (severity is not null)
        {
            var canonical = Array.Find(LogSeverities, s => string.Equals(s, severity, StringComparison.OrdinalIgnoreCase));
            if (canonical is null)
            {
                spec.Error("logSeverityScreen", null, $"{FieldSyntax.Show(severity)} is not a log severity (use {string.Join(", ", LogSeverities)})");
            }

            severity = canonical;
        }

        return new BgpConfiguration
        {
            Name = name,
            Labels = labels,
            AsNumber = spec.AsNumber("asNumber") ?? BgpConfiguration.DefaultAsNumber,
            ListenPort = spec.Port("listenPort") ?? BgpConfiguration.DefaultListenPort,
            NodeToNodeMeshEnabled = spec.Bool("nodeToNodeMeshEnabled") ?? true,
            LogSeverityScreen = severity,
            RouterId = spec.IPv4Address("routerId"),
            ServiceClusterIPs = ReadServiceCidrs(spec, "serviceClusterIPs"),
            ServiceExternalIPs = ReadServiceCidrs(spec, "serviceExternalIPs"),
            ServiceLoadBalancerIPs = ReadServiceCidrs(spec, "serviceLoadBalancerIPs"),
        };
    }

    /// <summary>Calico's service CIDR lists: <c>[{cidr: 10.96.0.0/12}, …]</c>.</summary>
    private static EquatableArray<Prefix> ReadServiceCidrs(MappingReader spec, string key)
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
            if (item is not YamlMappingNode mapping)
            {
                spec.Scope.Error(field, item, $"expected a mapping like {{cidr: 10.96.0.0/12}}, found {MappingReader.Describe(item)}");
                continue;
            }

            var entry = new MappingReader(spec.Scope, mapping, field, item);
            var text = entry.String("cidr");
            entry.RejectUnknown("service CIDR");
            if (text is null)
            {
                entry.Missing("cidr", "the range to advertise, e.g. 10.96.0.0/12");
            }
            else if (FieldSyntax.TryParsePrefix(text, out var prefix, out var hostBitsSet))
            {
                prefixes.Add(prefix);
            }
            else
            {
                entry.Error("cidr", null, hostBitsSet ? $"{FieldSyntax.Show(text)} has host bits set; did you mean {prefix}?" : $"{FieldSyntax.Show(text)} is not a prefix in CIDR form, e.g. 10.96.0.0/12");
            }
        }

        return new EquatableArray<Prefix>([.. prefixes.Distinct()]);
    }
}
