namespace Routing.TestKit.Daemons;

/// <summary>A real daemon a test runs (gobgpd, BIRD, FRR, ExaBGP, etcd): its name and its log.</summary>
public interface IDaemon : IAsyncDisposable
{
    string Name { get; }

    /// <summary>Everything the daemon logged so far, for a failing test's output.</summary>
    string ReadLog();
}
