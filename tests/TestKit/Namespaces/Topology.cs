using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text;
using Routing.TestKit.Daemons;
using Xunit.Abstractions;

namespace Routing.TestKit.Namespaces;

/// <summary>
/// The namespaces, links and daemons of one test (or of a class fixture shared by several):
/// created together, waited on together, and torn down together, in reverse order, even when
/// the test fails. A wait that times out fails with every daemon's log in its message.
/// </summary>
public sealed class Topology : IAsyncDisposable
{
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(60);

    private readonly ConcurrentStack<IAsyncDisposable> owned = new();
    private readonly ConcurrentDictionary<string, IDaemon> daemons = new();
    private readonly ITestOutputHelper? output;
    private int disposed;

    /// <param name="output">When given, every daemon's log is written to it at dispose (xUnit shows it for failed tests).</param>
    public Topology(ITestOutputHelper? output = null)
    {
        TestRun.RequireNamespaces();
        this.output = output;
    }

    public IReadOnlyCollection<IDaemon> Daemons => daemons.Values.ToArray();

    public async Task<NetNs> AddNamespaceAsync(string label)
    {
        var ns = await NetNs.CreateAsync(label).ConfigureAwait(false);
        owned.Push(ns);
        return ns;
    }

    /// <summary>Joins two namespaces with a veth pair and puts an address on each end.</summary>
    public async Task<VethPair> LinkAsync(NetNs a, string aCidr, NetNs b, string bCidr)
    {
        ArgumentNullException.ThrowIfNull(a);
        ArgumentNullException.ThrowIfNull(b);
        var pair = await VethPair.CreateAsync(a, b).ConfigureAwait(false);
        await a.AddAddressAsync(pair.AName, aCidr).ConfigureAwait(false);
        await b.AddAddressAsync(pair.BName, bCidr).ConfigureAwait(false);
        return pair;
    }

    /// <summary>Takes ownership of a daemon: its log joins failure messages, and it is stopped at dispose.</summary>
    public T Add<T>(T daemon)
        where T : IDaemon
    {
        ArgumentNullException.ThrowIfNull(daemon);
        if (!daemons.TryAdd(daemon.Name, daemon))
        {
            throw new InvalidOperationException($"a daemon named {daemon.Name} is already in this topology");
        }

        owned.Push(daemon);
        return daemon;
    }

    /// <summary>
    /// Polls <paramref name="condition"/> until it holds. On timeout, throws with what was awaited,
    /// the last probe's error and the logs of every daemon.
    /// </summary>
    public async Task UntilAsync(string what, Func<CancellationToken, Task<bool>> condition, TimeSpan? timeout = null)
    {
        ArgumentNullException.ThrowIfNull(condition);
        var limit = timeout ?? DefaultTimeout;
        var clock = Stopwatch.StartNew();
        Exception? lastError = null;
        var delay = TimeSpan.FromMilliseconds(50);
        while (true)
        {
            using var attempt = new CancellationTokenSource(TimeSpan.FromSeconds(10));
            try
            {
                if (await condition(attempt.Token).ConfigureAwait(false))
                {
                    return;
                }

                lastError = null;
            }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                lastError = e;
            }

            if (clock.Elapsed >= limit)
            {
                throw new TopologyTimeoutException(Describe(what, limit, lastError));
            }

            await Task.Delay(delay).ConfigureAwait(false);
            delay = TimeSpan.FromMilliseconds(Math.Min(delay.TotalMilliseconds * 2, 500));
        }
    }

    /// <summary>Polls <paramref name="probe"/> until it returns a value, and returns it.</summary>
    public async Task<T> UntilAsync<T>(string what, Func<CancellationToken, Task<T?>> probe, TimeSpan? timeout = null)
        where T : class
    {
        ArgumentNullException.ThrowIfNull(probe);
        T? result = null;
        await UntilAsync(what, async ct => (result = await probe(ct).ConfigureAwait(false)) is not null, timeout).ConfigureAwait(false);
        return result!;
    }

    /// <summary>Every daemon's log, each under a header.</summary>
    public string DaemonLogs()
    {
        var text = new StringBuilder();
        foreach (var daemon in daemons.Values.OrderBy(d => d.Name, StringComparer.Ordinal))
        {
            text.AppendLine($"===== log of {daemon.Name} =====");
            text.AppendLine(daemon.ReadLog().TrimEnd());
        }

        return text.ToString();
    }

    private string Describe(string what, TimeSpan limit, Exception? lastError)
    {
        var text = new StringBuilder();
        text.AppendLine($"Timed out after {limit.TotalSeconds:0.#} s waiting for: {what}");
        if (lastError is not null)
        {
            text.AppendLine($"Last probe failed: {lastError.GetType().Name}: {lastError.Message}");
        }

        text.Append(DaemonLogs());
        return text.ToString();
    }

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref disposed, 1) == 1)
        {
            return;
        }

        if (output is not null)
        {
            try
            {
                output.WriteLine(DaemonLogs());
            }
            catch (InvalidOperationException)
            {
                // The test already finished (a shared fixture): the logs are in any failure message.
            }
        }

        List<Exception> errors = [];
        while (owned.TryPop(out var item))
        {
            try
            {
                await item.DisposeAsync().ConfigureAwait(false);
            }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                errors.Add(e);
            }
        }

        if (errors.Count > 0)
        {
            throw new AggregateException("tearing down the topology failed", errors);
        }
    }
}
