using System.Reflection;
using System.Text.Json;

namespace Routing.Cni.Protocol;

/// <summary>
/// Entry point of the plugin: reads <c>CNI_COMMAND</c> and answers as the CNI specification
/// says. VERSION is complete; ADD, DEL, CHECK, STATUS and GC arrive with the IPAM-backed
/// wiring and until then are refused with the spec's error object.
/// </summary>
public static class CniPlugin
{
    /// <summary>Versions this plugin can produce results for, newest last.</summary>
    public static readonly string[] SupportedVersions = ["0.3.0", "0.3.1", "0.4.0", "1.0.0", "1.1.0"];

    public const string CurrentVersion = "1.1.0";

    public static int Run(Func<string, string?> environment, Stream stdin, Stream stdout, string[] args)
    {
        ArgumentNullException.ThrowIfNull(environment);
        ArgumentNullException.ThrowIfNull(stdout);
        ArgumentNullException.ThrowIfNull(args);

        if (args.Length == 1 && args[0] is "--version" or "-v")
        {
            var version = typeof(CniPlugin).Assembly
                .GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? "unknown";
            using var text = new StreamWriter(stdout);
            text.WriteLine($"routing-cni {version} (CNI spec {string.Join(", ", SupportedVersions)})");
            return 0;
        }

        var command = environment("CNI_COMMAND");
        switch (command)
        {
            case "VERSION":
                WriteVersion(stdout);
                return 0;
            case null or "":
                return WriteError(stdout, CniErrorCode.InvalidEnvironment,
                    "CNI_COMMAND is not set", "set CNI_COMMAND to ADD, DEL, CHECK, STATUS, GC or VERSION");
            default:
                return WriteError(stdout, CniErrorCode.InvalidEnvironment,
                    $"CNI_COMMAND {command} is not supported by this build of routing-cni",
                    "this build supports VERSION only");
        }
    }

    private static void WriteVersion(Stream stdout)
    {
        using var json = new Utf8JsonWriter(stdout, new JsonWriterOptions { Indented = true });
        json.WriteStartObject();
        json.WriteString("cniVersion", CurrentVersion);
        json.WriteStartArray("supportedVersions");
        foreach (var version in SupportedVersions)
        {
            json.WriteStringValue(version);
        }

        json.WriteEndArray();
        json.WriteEndObject();
    }

    private static int WriteError(Stream stdout, CniErrorCode code, string message, string details)
    {
        using (var json = new Utf8JsonWriter(stdout, new JsonWriterOptions { Indented = true }))
        {
            json.WriteStartObject();
            json.WriteString("cniVersion", CurrentVersion);
            json.WriteNumber("code", (int)code);
            json.WriteString("msg", message);
            json.WriteString("details", details);
            json.WriteEndObject();
        }

        return 1;
    }
}
