namespace Routing.Dataplane.Commands;

/// <summary>
/// Runs a short-lived command (iptables-restore, ipset …) to completion. The tables talk to the
/// kernel only through this, so their diff logic is tested with a fake and no root.
/// </summary>
public interface ICommandRunner
{
    /// <summary>
    /// Runs <paramref name="file"/> with <paramref name="arguments"/>, feeding it
    /// <paramref name="standardInput"/> when given. A non-zero exit is a result, not an exception;
    /// a command that cannot be started at all throws <see cref="CommandStartException"/>.
    /// </summary>
    Task<CommandOutput> RunAsync(string file, IReadOnlyList<string> arguments, string? standardInput = null, CancellationToken cancellationToken = default);
}
