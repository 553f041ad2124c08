using System.CommandLine;
using Routing.Agent.Cli;

try
{
    // Errors an operator can fix are one line on stderr, not a stack trace.
    var invocation = new InvocationConfiguration { EnableDefaultExceptionHandler = false };
    return await RoutingCommand.Create().Parse(args).InvokeAsync(invocation);
}
catch (CliException e)
{
    await Console.Error.WriteLineAsync($"routing: {e.Message}");
    return 1;
}
