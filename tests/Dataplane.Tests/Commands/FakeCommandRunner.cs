using Routing.Dataplane.Commands;

namespace Routing.Dataplane.Tests.Commands;

/// <summary>
/// Records every command a table runs and answers from a script of handlers: the tables' diff
/// and apply logic, tested without root or a kernel.
/// </summary>
public sealed class FakeCommandRunner : ICommandRunner
{
    private readonly List<Func<Invocation, CommandOutput?>> handlers = [];

    public List<Invocation> Invocations { get; } = [];

    /// <summary>Answers commands run as <paramref name="file"/> with <paramref name="answer"/> (the latest registration wins).</summary>
    public FakeCommandRunner On(string file, Func<Invocation, CommandOutput> answer)
    {
        handlers.Insert(0, i => i.File == file ? answer(i) : null);
        return this;
    }

    public FakeCommandRunner On(string file, string standardOutput) => On(file, _ => Ok(standardOutput));

    public FakeCommandRunner On(string file, CommandOutput output) => On(file, _ => output);

    public static CommandOutput Ok(string standardOutput = "") => new(0, standardOutput, string.Empty);

    public static CommandOutput Fail(string standardError, int exitCode = 1) => new(exitCode, string.Empty, standardError);

    public IEnumerable<Invocation> Of(string file) => Invocations.Where(i => i.File == file);

    public Task<CommandOutput> RunAsync(string file, IReadOnlyList<string> arguments, string? standardInput = null, CancellationToken cancellationToken = default)
    {
        var invocation = new Invocation(file, [.. arguments], standardInput);
        Invocations.Add(invocation);
        foreach (var handler in handlers)
        {
            if (handler(invocation) is { } output)
            {
                return Task.FromResult(output);
            }
        }

        throw new CommandStartException($"the test gave no answer for {file}");
    }

    public sealed record Invocation(string File, string[] Arguments, string? StandardInput);
}
