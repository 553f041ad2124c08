using System.Collections.Concurrent;
using System.Diagnostics;
using Microsoft.Extensions.Logging;
using Routing.TestKit.Daemons;

namespace Routing.TestKit.Logging;

/// <summary>
/// A logger factory that keeps what code under test logs, so that an in-process component (the
/// BGP speaker) shows its log in a failing test's message like the real daemons do.
/// </summary>
public sealed class LogCapture(string name, LogLevel minimum = LogLevel.Debug) : ILoggerFactory, IDaemon
{
    private readonly ConcurrentQueue<string> lines = new();
    private readonly Stopwatch clock = Stopwatch.StartNew();

    public string Name { get; } = name;

    public ILogger CreateLogger(string categoryName) => new CapturingLogger(this, categoryName);

    public void AddProvider(ILoggerProvider provider)
    {
    }

    public string ReadLog() => string.Join('\n', lines);

    /// <summary>True if any line so far contains <paramref name="text"/>.</summary>
    public bool Contains(string text) => lines.Any(l => l.Contains(text, StringComparison.Ordinal));

    public void Dispose()
    {
    }

    public ValueTask DisposeAsync() => ValueTask.CompletedTask;

    private void Write(string category, LogLevel level, string message, Exception? exception)
    {
        if (lines.Count < 100_000)
        {
            lines.Enqueue($"{clock.Elapsed.TotalSeconds,8:0.000} {level,-11} {category}: {message}{(exception is null ? string.Empty : "\n" + exception)}");
        }
    }

    private sealed class CapturingLogger(LogCapture capture, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel >= capture.minimumLevel;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (IsEnabled(logLevel))
            {
                capture.Write(category, logLevel, formatter(state, exception), exception);
            }
        }
    }

    private readonly LogLevel minimumLevel = minimum;
}
