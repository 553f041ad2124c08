using Google.Protobuf;
using Microsoft.Extensions.Logging;
using Routing.Agent.Api.Grpc;
using Routing.Agent.Datastore.Etcd.Rpc;

namespace Routing.Agent.Datastore.Etcd;

/// <summary>
/// etcd's KV and Watch calls over several endpoints: each call goes to the endpoint that last
/// answered and, when that one cannot be reached, to the next. A write moves on only when it surely
/// never left (no connection): a write lost in flight may have been applied, which only the caller's
/// next compare-and-swap can tell.
/// </summary>
internal sealed partial class EtcdClient : IDisposable
{
    private const string Kv = "/etcdserverpb.KV/";
    private const string WatchMethod = "/etcdserverpb.Watch/Watch";

    private readonly EtcdEndpoint[] endpoints;
    private readonly EtcdStoreOptions options;
    private readonly ILogger logger;
    private int preferred;

    public EtcdClient(IEnumerable<string> addresses, EtcdStoreOptions options, ILogger logger)
    {
        this.options = options;
        this.logger = logger;
        endpoints = addresses.Select(address => new EtcdEndpoint(address, options)).ToArray();
        if (endpoints.Length == 0)
        {
            throw new ArgumentException("etcd needs at least one endpoint, e.g. http://127.0.0.1:2379", nameof(addresses));
        }
    }

    public EtcdStoreOptions Options => options;

    public Task<RangeResponse> RangeAsync(RangeRequest request, CancellationToken cancellationToken) =>
        CallAsync(Kv + "Range", request, RangeResponse.Parser, idempotent: true, cancellationToken);

    public Task<DeleteRangeResponse> DeleteRangeAsync(DeleteRangeRequest request, CancellationToken cancellationToken) =>
        CallAsync(Kv + "DeleteRange", request, DeleteRangeResponse.Parser, idempotent: false, cancellationToken);

    public Task<TxnResponse> TxnAsync(TxnRequest request, CancellationToken cancellationToken) =>
        CallAsync(Kv + "Txn", request, TxnResponse.Parser, idempotent: false, cancellationToken);

    /// <summary>Opens a watch stream at the first endpoint that takes it, sending <paramref name="create"/>.</summary>
    public async Task<EtcdWatchStream> WatchAsync(WatchRequest create, CancellationToken cancellationToken)
    {
        var failures = new List<string>();
        Exception? lastError = null;
        foreach (var (endpoint, index) in InPreferredOrder())
        {
            try
            {
                var call = await endpoint.Connection.DuplexStreamingAsync(
                    WatchMethod, create, WatchResponse.Parser, options.RequestTimeout, cancellationToken).ConfigureAwait(false);
                Volatile.Write(ref preferred, index);
                return new EtcdWatchStream(endpoint, call, cancellationToken);
            }
            catch (Exception e) when (!cancellationToken.IsCancellationRequested && EtcdFailure.IsTransient(e))
            {
                failures.Add(Failed(endpoint, e));
                lastError = e;
            }
            catch (GrpcStatusException e) when (!cancellationToken.IsCancellationRequested)
            {
                throw new IOException(EtcdFailure.Describe(endpoint.Address, e, options.RequestTimeout), e);
            }
        }

        throw new IOException(string.Join("; ", failures), lastError);
    }

    private async Task<TResponse> CallAsync<TResponse>(
        string method, IMessage request, MessageParser<TResponse> parser, bool idempotent, CancellationToken cancellationToken)
        where TResponse : IMessage<TResponse>
    {
        var failures = new List<string>();
        Exception? lastError = null;
        foreach (var (endpoint, index) in InPreferredOrder())
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(options.RequestTimeout);
            try
            {
                var response = await endpoint.Connection.UnaryAsync(method, request, parser, timeout.Token).ConfigureAwait(false);
                Volatile.Write(ref preferred, index);
                return response;
            }
            catch (Exception e) when (!cancellationToken.IsCancellationRequested && EtcdFailure.IsTransient(e))
            {
                var failure = Failed(endpoint, e);
                if (!idempotent && !EtcdFailure.NeverSent(e))
                {
                    throw new IOException($"{failure}; the write may or may not have been applied", e);
                }

                failures.Add(failure);
                lastError = e;
            }
            catch (GrpcStatusException e) when (!cancellationToken.IsCancellationRequested)
            {
                throw new IOException(EtcdFailure.Describe(endpoint.Address, e, options.RequestTimeout), e);
            }
        }

        throw new IOException(string.Join("; ", failures), lastError);
    }

    private IEnumerable<(EtcdEndpoint Endpoint, int Index)> InPreferredOrder()
    {
        var first = Volatile.Read(ref preferred);
        for (var i = 0; i < endpoints.Length; i++)
        {
            var index = (first + i) % endpoints.Length;
            yield return (endpoints[index], index);
        }
    }

    private string Failed(EtcdEndpoint endpoint, Exception error)
    {
        var failure = EtcdFailure.Describe(endpoint.Address, error, options.RequestTimeout);
        if (endpoints.Length > 1)
        {
            Log.EndpointFailed(logger, failure);
        }

        return failure;
    }

    public void Dispose()
    {
        foreach (var endpoint in endpoints)
        {
            endpoint.Dispose();
        }
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 1, Level = LogLevel.Warning, Message = "{Failure}; trying the next endpoint")]
        public static partial void EndpointFailed(ILogger logger, string failure);
    }
}
