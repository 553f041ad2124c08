using Routing.Dataplane.Commands;

namespace Routing.Dataplane.Tests.Commands;

public class ProcessCommandRunnerTests
{
    private readonly ProcessCommandRunner runner = new();

    [Fact]
    public async Task Large_input_and_output_flow_without_blocking_each_other()
    {
        // More than a pipe buffer each way: cat writes while it is still being fed.
        var input = string.Concat(Enumerable.Repeat("-A rt-x -j ACCEPT\n", 50_000));

        var output = await runner.RunAsync("cat", [], input);

        Assert.True(output.Succeeded);
        Assert.Equal(input, output.StandardOutput);
    }

    [Fact]
    public async Task A_failing_command_is_a_result_with_its_error_output()
    {
        var output = await runner.RunAsync("sh", ["-c", "echo oops >&2; exit 3"], "ignored input");

        Assert.Equal(3, output.ExitCode);
        Assert.Equal("oops\n", output.StandardError);
    }

    [Fact]
    public async Task A_command_that_does_not_exist_cannot_start() =>
        await Assert.ThrowsAsync<CommandStartException>(() => runner.RunAsync("no-such-command-rt", []));
}
