using System.CommandLine;
using System.CommandLine.Invocation;
using System.Reflection;

namespace Routing.Agent.Cli;

/// <summary>
/// The <c>routing</c> command line: the node agent and the operator's commands.
/// Subcommands are added here as the parts they drive are built.
/// </summary>
public static class RoutingCommand
{
    public const string Summary =
        "Routing: a node networking agent for Kubernetes and bare-metal clusters " +
        "(BGP, kernel routes, IPAM, network policy, service proxy and cluster DNS).";

    /// <summary>This build's version, e.g. <c>0.1.0+commit</c>.</summary>
    public static string Version { get; } =
        typeof(RoutingCommand).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? "unknown";

    /// <summary>Builds the root command; <c>--help</c> and <c>--version</c> come with it.</summary>
    public static RootCommand Create()
    {
        var root = new RootCommand(Summary)
        {
            AgentCommand.Create(),
            StatusCommand.Create(),
            BgpCommand.Create(),
            ApplyCommand.Create(),
            GetCommand.Create(),
            IpamCommand.Create(),
            PolicyCommand.Create(),
            Lab.LabCommand.Create(),
            InstallCniCommand.Create(),
        };

        // The default --version reports the entry assembly, which is not ours when hosted (tests).
        foreach (var version in root.Options.OfType<VersionOption>())
        {
            version.Action = new PrintVersion();
        }

        return root;
    }

    private sealed class PrintVersion : SynchronousCommandLineAction
    {
        public override int Invoke(ParseResult parseResult)
        {
            parseResult.InvocationConfiguration.Output.WriteLine(Version);
            return 0;
        }
    }
}
