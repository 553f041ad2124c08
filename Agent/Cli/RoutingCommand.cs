using System.CommandLine;

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

    /// <summary>Builds the root command; <c>--help</c> and <c>--version</c> come with it.</summary>
    public static RootCommand Create() => new(Summary);
}
