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
        };
    }
}
