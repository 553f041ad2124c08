using System.CommandLine;
using System.Reflection;
using Routing.Agent.Cli;

namespace Routing.Agent.Tests.Cli;

public sealed class RoutingCommandTests
{
    private static (int ExitCode, string Output, string Error) Run(params string[] args)
    {
        using var output = new StringWriter();
        using var error = new StringWriter();
        var exit = RoutingCommand.Create().Parse(args).Invoke(new InvocationConfiguration { Output = output, Error = error });
        return (exit, output.ToString(), error.ToString());
    }

    [Fact]
    public void Help_describes_the_product_and_its_options()
    {
        var (exit, output, _) = Run("--help");

        Assert.Equal(0, exit);
        Assert.Contains("node networking agent", output, StringComparison.Ordinal);
        Assert.Contains("--version", output, StringComparison.Ordinal);
        Assert.Contains("Usage:", output, StringComparison.Ordinal);
    }

    [Fact]
    public void Version_prints_the_assembly_version()
    {
        var expected = typeof(RoutingCommand).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()!.InformationalVersion;

        var (exit, output, _) = Run("--version");

        Assert.Equal(0, exit);
        Assert.Equal(expected, output.Trim());
        Assert.StartsWith("0.1.0", output, StringComparison.Ordinal);
    }

    [Fact]
    public void An_unknown_option_is_an_error_that_names_it()
    {
        var (exit, _, error) = Run("--no-such-option");

        Assert.NotEqual(0, exit);
        Assert.Contains("--no-such-option", error, StringComparison.Ordinal);
    }
}
