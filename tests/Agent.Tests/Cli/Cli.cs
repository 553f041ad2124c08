using System.CommandLine;
using Routing.Agent.Cli;

namespace Routing.Agent.Tests.Cli;

/// <summary>Runs <c>routing …</c> in process as Program does: an operator error is exit status 1 and its one-line message.</summary>
internal static class Cli
{
    public static async Task<(int ExitCode, string Output)> RunAsync(params string[] args)
    {
        using var output = new StringWriter();
        using var error = new StringWriter();
        try
        {
            var exit = await RoutingCommand.Create().Parse(args).InvokeAsync(new InvocationConfiguration { Output = output, Error = error, EnableDefaultExceptionHandler = false });
            return (exit, output + error.ToString());
        }
        catch (CliException e)
        {
            return (1, e.Message);
        }
    }
}
