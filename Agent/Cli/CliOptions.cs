using System.CommandLine;
using Routing.Agent.Api;

namespace Routing.Agent.Cli;

/// <summary>Options shared by the commands that read the agent's API.</summary>
internal static class CliOptions
{
    public static Option<string> Socket() => new("--socket")
    {
        Description = "The agent's API socket",
        DefaultValueFactory = _ => Environment.GetEnvironmentVariable("ROUTING_SOCKET") ?? ApiServer.DefaultSocket,
    };

    public static Option<string> Output()
    {
        var option = new Option<string>("--output", "-o")
        {
            Description = "Output format: table or json",
            DefaultValueFactory = _ => "table",
        };
        option.AcceptOnlyFromAmong("table", "json");
        return option;
    }
}
