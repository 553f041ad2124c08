using System.Reflection;
using System.Text.Json;
using Routing.Cni.AgentApi;
using Routing.Cni.Commands;
using Routing.Cni.Config;
using Routing.Cni.Wiring;

namespace Routing.Cni.Protocol;

/// <summary>
/// Entry point of the plugin: reads <c>CNI_*</c> and the configuration on stdin, runs the command
/// and answers as the CNI specification says — a result or nothing on success, the error object on
/// stdout and exit status 1 on failure.
/// </summary>
public sealed class CniPlugin
{
    /// <summary>Versions this plugin can produce results for, oldest first.</summary>
    public static IReadOnlyList<string> SupportedVersions => CniVersions.Supported;

    private readonly IPodWiring wiring;
    private readonly Func<PluginConfig, IAgentIpam> connectAgent;

    internal CniPlugin(IPodWiring wiring, Func<PluginConfig, IAgentIpam> connectAgent)
    {
        this.wiring = wiring;
        this.connectAgent = connectAgent;
    }

    /// <summary>Runs one invocation with the real kernel wiring and agent client.</summary>
    public static int Run(Func<string, string?> environment, Stream stdin, Stream stdout, string[] args)
    {
        using var wiring = new NetlinkWiring();
        return new CniPlugin(wiring, config => new AgentIpamClient(config.AgentSocket, config.AgentTimeout)).Execute(environment, stdin, stdout, args);
    }

    internal int Execute(Func<string, string?> environment, Stream stdin, Stream stdout, string[] args)
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

        var replyVersion = CniVersions.Current;
        try
        {
            var command = CniEnvironment.ParseCommand(environment("CNI_COMMAND"));
            if (command == CniCommand.Version)
            {
                WriteVersion(stdout);
                return 0;
            }

            var input = ReadAll(stdin);
            replyVersion = NetworkConfigReader.PeekVersion(input) is { } v && CniVersions.IsSupported(v) ? v : CniVersions.Current;
            var env = CniEnvironment.Read(environment);
            var config = NetworkConfigReader.Read(input, command);
            using var agent = connectAgent(config);
            var context = new CommandContext(env, config, wiring, agent);
            var result = RunAsync(context).GetAwaiter().GetResult();
            if (result is not null)
            {
                using var json = new Utf8JsonWriter(stdout, new JsonWriterOptions { Indented = true });
                result.Write(json, config.CniVersion);
            }

            return 0;
        }
        catch (CniException e)
        {
            return WriteError(stdout, replyVersion, e.Code, e.Message, e.Details);
        }
        catch (IOException e)
        {
            return WriteError(stdout, replyVersion, CniErrorCode.IoFailure, $"I/O failure: {e.Message}", e.GetType().Name);
        }
    }

    private static async Task<Results.PodResult?> RunAsync(CommandContext context)
    {
        switch (context.Environment.Command)
        {
            case CniCommand.Add:
                return await AddCommand.RunAsync(context).ConfigureAwait(false);
            case CniCommand.Del:
                await DelCommand.RunAsync(context).ConfigureAwait(false);
                return null;
            case CniCommand.Check:
                await CheckCommand.RunAsync(context).ConfigureAwait(false);
                return null;
            case CniCommand.Gc:
                await GcCommand.RunAsync(context).ConfigureAwait(false);
                return null;
            case CniCommand.Status:
                await StatusCommand.RunAsync(context).ConfigureAwait(false);
                return null;
            default:
                throw new CniException(CniErrorCode.InvalidEnvironment, $"CNI_COMMAND {context.Environment.Command} has no handler");
        }
    }

    private static byte[] ReadAll(Stream stdin)
    {
        using var buffer = new MemoryStream();
        stdin.CopyTo(buffer);
        return buffer.ToArray();
    }

    private static void WriteVersion(Stream stdout)
    {
        using var json = new Utf8JsonWriter(stdout, new JsonWriterOptions { Indented = true });
        json.WriteStartObject();
        json.WriteString("cniVersion", CniVersions.Current);
        json.WriteStartArray("supportedVersions");
        foreach (var version in SupportedVersions)
        {
            json.WriteStringValue(version);
        }

        json.WriteEndArray();
        json.WriteEndObject();
    }

    private static int WriteError(Stream stdout, string cniVersion, CniErrorCode code, string message, string details)
    {
        using (var json = new Utf8JsonWriter(stdout, new JsonWriterOptions { Indented = true }))
        {
            json.WriteStartObject();
            json.WriteString("cniVersion", cniVersion);
            json.WriteNumber("code", (int)code);
            json.WriteString("msg", message);
            if (!string.IsNullOrEmpty(details))
            {
                json.WriteString("details", details);
            }

            json.WriteEndObject();
        }

        return 1;
    }
}
