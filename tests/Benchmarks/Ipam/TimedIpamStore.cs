using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Text;
using Routing.Ipam.Blocks;
using Routing.Ipam.Handles;
using Routing.Ipam.Pools;
using Routing.Ipam.Reservations;
using Routing.Ipam.Store;

namespace Routing.Benchmarks.Ipam;

/// <summary>
/// An IPAM store that counts and times every call to the store under it, per kind and operation:
/// where a bench/ipam phase spends its round trips (BREAKDOWN=1).
/// </summary>
internal sealed class TimedIpamStore : IIpamStore
{
    private readonly ConcurrentDictionary<string, Tally> tallies;

    /// <summary>Counts into <paramref name="tallies"/> (shared by the stores of several nodes, to report them together).</summary>
    public TimedIpamStore(IIpamStore inner, ConcurrentDictionary<string, Tally> tallies)
    {
        this.tallies = tallies;
        Pools = new Timed<IPPool>(inner.Pools, "pool", this);
        Blocks = new Timed<AllocationBlock>(inner.Blocks, "block", this);
        Affinities = new Timed<BlockAffinity>(inner.Affinities, "affinity", this);
        Handles = new Timed<IpamHandle>(inner.Handles, "handle", this);
        Reservations = new Timed<IPReservation>(inner.Reservations, "reservation", this);
        Transactions = inner.Transactions is { } transactions ? new TimedTransactions(transactions, this) : null;
    }

    public IIpamCollection<IPPool> Pools { get; }

    public IIpamCollection<AllocationBlock> Blocks { get; }

    public IIpamCollection<BlockAffinity> Affinities { get; }

    public IIpamCollection<IpamHandle> Handles { get; }

    public IIpamCollection<IPReservation> Reservations { get; }

    public IIpamBlockTransactions? Transactions { get; }

    /// <summary>One line per kind and operation: calls, failures, total and mean milliseconds; then cleared.</summary>
    public static string Report(ConcurrentDictionary<string, Tally> tallies)
    {
        var text = new StringBuilder();
        foreach (var (what, tally) in tallies.OrderBy(t => t.Key, StringComparer.Ordinal))
        {
            var ms = tally.Ticks * 1000.0 / Stopwatch.Frequency;
            text.AppendLine(string.Create(CultureInfo.InvariantCulture, $"  {what,-22} {tally.Calls,7} calls {tally.Failures,5} failed {ms,9:0} ms {ms / Math.Max(1, tally.Calls),7:0.00} ms each"));
        }

        tallies.Clear();
        return text.ToString();
    }

    private async ValueTask<TResult> TimeAsync<TResult>(string what, Func<ValueTask<TResult>> call)
    {
        var tally = tallies.GetOrAdd(what, static _ => new Tally());
        var started = Stopwatch.GetTimestamp();
        try
        {
            return await call();
        }
        catch
        {
            Interlocked.Increment(ref tally.Failures);
            throw;
        }
        finally
        {
            Interlocked.Increment(ref tally.Calls);
            Interlocked.Add(ref tally.Ticks, Stopwatch.GetTimestamp() - started);
        }
    }

    internal sealed class Tally
    {
        public long Calls;
        public long Failures;
        public long Ticks;
    }

    private sealed class Timed<T>(IIpamCollection<T> inner, string kind, TimedIpamStore owner) : IIpamCollection<T>
        where T : class, IIpamRecord
    {
        public ValueTask<Versioned<T>?> GetAsync(string name, CancellationToken cancellationToken = default) =>
            owner.TimeAsync(kind + ".get", () => inner.GetAsync(name, cancellationToken));

        public ValueTask<IReadOnlyList<Versioned<T>>> ListAsync(CancellationToken cancellationToken = default) =>
            owner.TimeAsync(kind + ".list", () => inner.ListAsync(cancellationToken));

        public ValueTask<IReadOnlyList<string>> ListNamesAsync(CancellationToken cancellationToken = default) =>
            owner.TimeAsync(kind + ".listNames", () => inner.ListNamesAsync(cancellationToken));

        public ValueTask<IReadOnlyList<NamedRevision>> ListRevisionsAsync(CancellationToken cancellationToken = default) =>
            owner.TimeAsync(kind + ".listRevisions", () => inner.ListRevisionsAsync(cancellationToken));

        public ValueTask<Versioned<T>> CreateAsync(T record, CancellationToken cancellationToken = default) =>
            owner.TimeAsync(kind + ".create", () => inner.CreateAsync(record, cancellationToken));

        public ValueTask<Versioned<T>> UpdateAsync(T record, string expectedRevision, CancellationToken cancellationToken = default) =>
            owner.TimeAsync(kind + ".update", () => inner.UpdateAsync(record, expectedRevision, cancellationToken));

        public async ValueTask DeleteAsync(string name, string expectedRevision, CancellationToken cancellationToken = default) =>
            await owner.TimeAsync(kind + ".delete", async () =>
            {
                await inner.DeleteAsync(name, expectedRevision, cancellationToken);
                return true;
            });
    }

    private sealed class TimedTransactions(IIpamBlockTransactions inner, TimedIpamStore owner) : IIpamBlockTransactions
    {
        public ValueTask<WrittenBlock> WriteBlockWithHandlesAsync(
            AllocationBlock block,
            string expectedRevision,
            IReadOnlyList<IpamHandle> created,
            IReadOnlyList<Versioned<IpamHandle>> deleted,
            CancellationToken cancellationToken = default) =>
            owner.TimeAsync("block+handles.txn", () => inner.WriteBlockWithHandlesAsync(block, expectedRevision, created, deleted, cancellationToken));

        public ValueTask<ClaimedBlock> CreateBlockWithAffinityAsync(AllocationBlock block, BlockAffinity affinity, CancellationToken cancellationToken = default) =>
            owner.TimeAsync("block+affinity.txn", () => inner.CreateBlockWithAffinityAsync(block, affinity, cancellationToken));
    }
}
