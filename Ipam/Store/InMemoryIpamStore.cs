using System.Globalization;
using Routing.Ipam.Blocks;
using Routing.Ipam.Handles;
using Routing.Ipam.Pools;
using Routing.Ipam.Reservations;

namespace Routing.Ipam.Store;

/// <summary>
/// An IPAM store in memory with the same compare-and-swap rules as the real ones: for tests,
/// benchmarks, and as the working set of a file-backed store. <see cref="BeforeWrite"/> lets a test
/// make writes fail, or change a record under a writer (<see cref="Touch"/>) to force a conflict.
/// </summary>
public sealed class InMemoryIpamStore : IIpamStore, IIpamBlockTransactions
{
    private readonly Lock gate = new();
    private long revision;

    public InMemoryIpamStore()
    {
        Pools = new Collection<IPPool>(this, IpamKinds.IPPool, pool => pool);
        Blocks = new Collection<AllocationBlock>(this, IpamKinds.Block, block => block.Clone());
        Affinities = new Collection<BlockAffinity>(this, IpamKinds.BlockAffinity, affinity => affinity);
        Handles = new Collection<IpamHandle>(this, IpamKinds.Handle, handle => handle);
        Reservations = new Collection<IPReservation>(this, IpamKinds.IPReservation, reservation => reservation);
    }

    /// <summary>Called before every create, update and delete, outside the store's lock; may throw or <see cref="Touch"/>.</summary>
    public Action<IpamWrite>? BeforeWrite { get; set; }

    /// <summary>Writes that succeeded.</summary>
    public long WriteCount => Interlocked.Read(ref revision);

    public IIpamCollection<IPPool> Pools { get; }

    public IIpamCollection<AllocationBlock> Blocks { get; }

    public IIpamCollection<BlockAffinity> Affinities { get; }

    public IIpamCollection<IpamHandle> Handles { get; }

    public IIpamCollection<IPReservation> Reservations { get; }

    /// <summary>This store itself, unless a test turns transactions off (<see cref="WithoutTransactions"/>) to take the path of a datastore without them.</summary>
    public IIpamBlockTransactions? Transactions => WithoutTransactions ? null : this;

    public bool WithoutTransactions { get; set; }

    /// <summary>All or nothing, as etcd's Txn: <see cref="BeforeWrite"/> is called for each write (handles first), then all are checked and made at once.</summary>
    public ValueTask<WrittenBlock> WriteBlockWithHandlesAsync(
        AllocationBlock block,
        string expectedRevision,
        IReadOnlyList<IpamHandle> created,
        IReadOnlyList<Versioned<IpamHandle>> deleted,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(block);
        ArgumentNullException.ThrowIfNull(created);
        ArgumentNullException.ThrowIfNull(deleted);
        foreach (var handle in created)
        {
            BeforeWrite?.Invoke(new IpamWrite(IpamKinds.Handle, handle.Name, IpamWriteOperation.Create));
        }

        foreach (var handle in deleted)
        {
            BeforeWrite?.Invoke(new IpamWrite(IpamKinds.Handle, handle.Value.Name, IpamWriteOperation.Delete));
        }

        BeforeWrite?.Invoke(new IpamWrite(IpamKinds.Block, block.Name, IpamWriteOperation.Update));
        var handles = (Collection<IpamHandle>)Handles;
        var blocks = (Collection<AllocationBlock>)Blocks;
        lock (gate)
        {
            foreach (var handle in created)
            {
                handles.CheckAbsent(handle.Name);
            }

            foreach (var handle in deleted)
            {
                handles.Check(handle.Value.Name, handle.Revision);
            }

            blocks.Check(block.Name, expectedRevision);
            var written = created.Select(handles.Put).ToList();
            foreach (var handle in deleted)
            {
                handles.Remove(handle.Value.Name);
            }

            return ValueTask.FromResult(new WrittenBlock(blocks.Put(block), written));
        }
    }

    /// <summary>Both or neither, as etcd's Txn: <see cref="BeforeWrite"/> is called for each create (the affinity first), then both are checked and made at once.</summary>
    public ValueTask<ClaimedBlock> CreateBlockWithAffinityAsync(AllocationBlock block, BlockAffinity affinity, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(block);
        ArgumentNullException.ThrowIfNull(affinity);
        BeforeWrite?.Invoke(new IpamWrite(IpamKinds.BlockAffinity, affinity.Name, IpamWriteOperation.Create));
        BeforeWrite?.Invoke(new IpamWrite(IpamKinds.Block, block.Name, IpamWriteOperation.Create));
        var affinities = (Collection<BlockAffinity>)Affinities;
        var blocks = (Collection<AllocationBlock>)Blocks;
        lock (gate)
        {
            affinities.CheckAbsent(affinity.Name);
            blocks.CheckAbsent(block.Name);
            var claimed = affinities.Put(affinity);
            return ValueTask.FromResult(new ClaimedBlock(blocks.Put(block), claimed));
        }
    }

    /// <summary>Gives a record a new revision without changing it, as if another writer had rewritten it; false when there is none.</summary>
    public bool Touch(string kind, string name) => kind switch
    {
        IpamKinds.IPPool => ((Collection<IPPool>)Pools).Touch(name),
        IpamKinds.Block => ((Collection<AllocationBlock>)Blocks).Touch(name),
        IpamKinds.BlockAffinity => ((Collection<BlockAffinity>)Affinities).Touch(name),
        IpamKinds.Handle => ((Collection<IpamHandle>)Handles).Touch(name),
        IpamKinds.IPReservation => ((Collection<IPReservation>)Reservations).Touch(name),
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, "not an IPAM kind"),
    };

    private string NextRevision() => (++revision).ToString(CultureInfo.InvariantCulture);

    private sealed class Collection<T>(InMemoryIpamStore store, string kind, Func<T, T> copy) : IIpamCollection<T>
        where T : class, IIpamRecord
    {
        private readonly Dictionary<string, Versioned<T>> records = new(StringComparer.Ordinal);

        public ValueTask<Versioned<T>?> GetAsync(string name, CancellationToken cancellationToken = default)
        {
            lock (store.gate)
            {
                return ValueTask.FromResult(records.TryGetValue(name, out var found) ? found with { Value = copy(found.Value) } : null);
            }
        }

        public ValueTask<IReadOnlyList<Versioned<T>>> ListAsync(CancellationToken cancellationToken = default)
        {
            lock (store.gate)
            {
                IReadOnlyList<Versioned<T>> all = [.. records.Values.Select(found => found with { Value = copy(found.Value) })];
                return ValueTask.FromResult(all);
            }
        }

        public ValueTask<Versioned<T>> CreateAsync(T record, CancellationToken cancellationToken = default)
        {
            ArgumentNullException.ThrowIfNull(record);
            store.BeforeWrite?.Invoke(new IpamWrite(kind, record.Name, IpamWriteOperation.Create));
            lock (store.gate)
            {
                CheckAbsent(record.Name);
                return ValueTask.FromResult(Put(record));
            }
        }

        public void CheckAbsent(string name)
        {
            if (records.ContainsKey(name))
            {
                throw new IpamStoreException(IpamStoreError.AlreadyExists, kind, name);
            }
        }

        /// <summary>Stores a copy under a new revision (the caller holds the store's lock); the caller keeps its own record.</summary>
        public Versioned<T> Put(T record)
        {
            var stored = new Versioned<T>(copy(record), store.NextRevision());
            records[record.Name] = stored;
            return stored with { Value = record };
        }

        public ValueTask<Versioned<T>> UpdateAsync(T record, string expectedRevision, CancellationToken cancellationToken = default)
        {
            ArgumentNullException.ThrowIfNull(record);
            store.BeforeWrite?.Invoke(new IpamWrite(kind, record.Name, IpamWriteOperation.Update));
            lock (store.gate)
            {
                Check(record.Name, expectedRevision);
                return ValueTask.FromResult(Put(record));
            }
        }

        public ValueTask DeleteAsync(string name, string expectedRevision, CancellationToken cancellationToken = default)
        {
            store.BeforeWrite?.Invoke(new IpamWrite(kind, name, IpamWriteOperation.Delete));
            lock (store.gate)
            {
                Check(name, expectedRevision);
                Remove(name);
                return ValueTask.CompletedTask;
            }
        }

        /// <summary>Deletes the record (the caller holds the store's lock and checked it).</summary>
        public void Remove(string name)
        {
            records.Remove(name);
            store.NextRevision();
        }

        public bool Touch(string name)
        {
            lock (store.gate)
            {
                if (!records.TryGetValue(name, out var found))
                {
                    return false;
                }

                records[name] = found with { Revision = store.NextRevision() };
                return true;
            }
        }

        public void Check(string name, string expectedRevision)
        {
            if (!records.TryGetValue(name, out var current))
            {
                throw new IpamStoreException(IpamStoreError.NotFound, kind, name);
            }

            if (current.Revision != expectedRevision)
            {
                throw new IpamStoreException(IpamStoreError.Conflict, kind, name);
            }
        }
    }
}
