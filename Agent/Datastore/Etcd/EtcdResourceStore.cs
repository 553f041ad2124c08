using System.Globalization;
using Google.Protobuf;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Routing.Agent.Datastore.Etcd.Rpc;
using Routing.Agent.Datastore.Store;

namespace Routing.Agent.Datastore.Etcd;

/// <summary>
/// The etcd v3 datastore: each resource is one key (<see cref="EtcdKeys"/>) holding its JSON
/// document, its revision is the key's mod_revision, and every write is a transaction that
/// compares a revision first, so concurrent writers never overwrite each other unseen.
/// </summary>
public sealed partial class EtcdResourceStore : IResourceStore, IResourceRevisions
{
    /// <summary>Lists read this many keys per request, all at the first page's revision.</summary>
    private const int PageSize = 500;

    private readonly EtcdClient client;
    private readonly ILogger logger;

    /// <param name="endpoints">etcd client URLs (http://127.0.0.1:2379); the first that answers is used.</param>
    public EtcdResourceStore(IEnumerable<string> endpoints, EtcdStoreOptions? options = null, ILogger? logger = null)
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        this.logger = logger ?? NullLogger.Instance;
        client = new EtcdClient(endpoints, options ?? EtcdStoreOptions.Default, this.logger);
    }

    /// <summary>Opens an <c>etcd:</c> datastore. Nothing is sent until the first call.</summary>
    /// <exception cref="ArgumentException">The URI is not an <c>etcd:</c> datastore.</exception>
    public static EtcdResourceStore Open(DatastoreUri uri, EtcdStoreOptions? options = null, ILogger? logger = null)
    {
        ArgumentNullException.ThrowIfNull(uri);
        return uri.Kind == DatastoreKind.Etcd
            ? new EtcdResourceStore(uri.Endpoints, options, logger)
            : throw new ArgumentException($"{uri} is not an etcd datastore (etcd:http://HOST:PORT)", nameof(uri));
    }

    public async Task<StoredResource?> GetAsync(ResourceKey key, CancellationToken cancellationToken = default)
    {
        var response = await client.RangeAsync(new RangeRequest { Key = EtcdKeys.For(key) }, cancellationToken).ConfigureAwait(false);
        return response.Kvs.Count == 0 ? null : Resource(key, response.Kvs[0]);
    }

    public async Task<ResourceList> ListAsync(string kind, CancellationToken cancellationToken = default)
    {
        var items = new List<StoredResource>();
        var revision = await RangeAsync(kind, keysOnly: false, (key, kv) => items.Add(Resource(key, kv)), cancellationToken).ConfigureAwait(false);
        return new ResourceList(items, revision);
    }

    /// <summary>A keys-only range: each key's mod_revision, without its value.</summary>
    public async Task<IReadOnlyList<KeyRevision>> ListRevisionsAsync(string kind, CancellationToken cancellationToken = default)
    {
        var items = new List<KeyRevision>();
        await RangeAsync(kind, keysOnly: true, (key, kv) => items.Add(new KeyRevision(key, Format(kv.ModRevision))), cancellationToken).ConfigureAwait(false);
        return items;
    }

    /// <summary>Every key of a kind, page by page, all at the first page's revision (returned).</summary>
    private async Task<string> RangeAsync(string kind, bool keysOnly, Action<ResourceKey, KeyValue> found, CancellationToken cancellationToken)
    {
        var prefix = EtcdKeys.Prefix(kind);
        var request = new RangeRequest { Key = prefix, RangeEnd = EtcdKeys.RangeEnd(prefix), Limit = PageSize, KeysOnly = keysOnly };
        long revision = 0;
        while (true)
        {
            var page = await client.RangeAsync(request, cancellationToken).ConfigureAwait(false);
            if (revision == 0)
            {
                // Later pages read at the first one's revision: the list is one consistent snapshot.
                revision = page.Header.Revision;
                request.Revision = revision;
            }

            foreach (var kv in page.Kvs)
            {
                if (EtcdKeys.TryParse(kind, kv.Key, out var key))
                {
                    found(key.Value, kv);
                }
            }

            if (!page.More || page.Kvs.Count == 0)
            {
                return Format(revision);
            }

            request.Key = ByteString.CopyFrom([.. page.Kvs[^1].Key.Span, 0]);
        }
    }

    public async Task<StoredResource> CreateAsync(ResourceKey key, string json, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(json);
        var etcdKey = EtcdKeys.For(key);

        // create_revision is 0 only for a key that does not exist.
        var txn = new TxnRequest
        {
            Compare = { new Compare { Key = etcdKey, Target = Compare.Types.CompareTarget.Create, CreateRevision = 0 } },
            Success = { Put(etcdKey, json) },
        };
        var response = await client.TxnAsync(txn, cancellationToken).ConfigureAwait(false);
        return response.Succeeded
            ? new StoredResource(key, json, Format(response.Header.Revision))
            : throw new ResourceStoreException(ResourceStoreError.AlreadyExists, key, $"{key} already exists");
    }

    public async Task<StoredResource> UpdateAsync(ResourceKey key, string json, string expectedRevision, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(json);
        var etcdKey = EtcdKeys.For(key);
        var expected = ParseRevision(expectedRevision, nameof(expectedRevision));
        var response = await client.TxnAsync(CompareAndSwap(etcdKey, expected, Put(etcdKey, json)), cancellationToken).ConfigureAwait(false);
        if (response.Succeeded)
        {
            return new StoredResource(key, json, Format(response.Header.Revision));
        }

        throw Exists(response)
            ? new ResourceStoreException(ResourceStoreError.Conflict, key, $"{key} changed since revision {expectedRevision}; read it again")
            : new ResourceStoreException(ResourceStoreError.NotFound, key, $"{key} does not exist");
    }

    public async Task<bool> DeleteAsync(ResourceKey key, string? expectedRevision = null, CancellationToken cancellationToken = default)
    {
        var etcdKey = EtcdKeys.For(key);
        if (expectedRevision is null)
        {
            var deleted = await client.DeleteRangeAsync(new DeleteRangeRequest { Key = etcdKey }, cancellationToken).ConfigureAwait(false);
            return deleted.Deleted > 0;
        }

        var expected = ParseRevision(expectedRevision, nameof(expectedRevision));
        var delete = new RequestOp { RequestDeleteRange = new DeleteRangeRequest { Key = etcdKey } };
        var response = await client.TxnAsync(CompareAndSwap(etcdKey, expected, delete), cancellationToken).ConfigureAwait(false);
        if (response.Succeeded)
        {
            return true;
        }

        return Exists(response)
            ? throw new ResourceStoreException(ResourceStoreError.Conflict, key, $"{key} changed since revision {expectedRevision}; read it again")
            : false;
    }

    public ValueTask DisposeAsync()
    {
        client.Dispose();
        return ValueTask.CompletedTask;
    }

    /// <summary>
    /// Runs <paramref name="operation"/> if the key is still at <paramref name="expected"/>; otherwise
    /// counts the key in the same revision, which tells a conflict from a deletion.
    /// </summary>
    private static TxnRequest CompareAndSwap(ByteString etcdKey, long expected, RequestOp operation) => new()
    {
        Compare = { new Compare { Key = etcdKey, Target = Compare.Types.CompareTarget.Mod, ModRevision = expected } },
        Success = { operation },
        Failure = { new RequestOp { RequestRange = new RangeRequest { Key = etcdKey, CountOnly = true } } },
    };

    private static bool Exists(TxnResponse failed) => failed.Responses[0].ResponseRange.Count > 0;

    private static RequestOp Put(ByteString etcdKey, string json) =>
        new() { RequestPut = new PutRequest { Key = etcdKey, Value = ByteString.CopyFromUtf8(json) } };

    private static StoredResource Resource(ResourceKey key, KeyValue kv) => new(key, kv.Value.ToStringUtf8(), Format(kv.ModRevision));

    private static string Format(long revision) => revision.ToString(CultureInfo.InvariantCulture);

    /// <exception cref="ArgumentException">Not a revision this store handed out (a positive decimal number).</exception>
    private static long ParseRevision(string revision, string parameter)
    {
        ArgumentNullException.ThrowIfNull(revision, parameter);
        return long.TryParse(revision, NumberStyles.None, CultureInfo.InvariantCulture, out var value) && value > 0
            ? value
            : throw new ArgumentException($"'{revision}' is not an etcd revision (a positive decimal number from this store)", parameter);
    }
}
