using Routing.Agent.Api.Grpc;
using Routing.Agent.Datastore.Etcd.Rpc;

namespace Routing.Agent.Datastore.Etcd;

/// <summary>One open Watch call at one endpoint: the responses of the one watcher it created.</summary>
internal sealed class EtcdWatchStream : IAsyncDisposable
{
    private readonly GrpcDuplexCall<WatchResponse> call;
    private readonly IAsyncEnumerator<WatchResponse> responses;

    public EtcdWatchStream(EtcdEndpoint endpoint, GrpcDuplexCall<WatchResponse> call, CancellationToken cancellationToken)
    {
        Endpoint = endpoint;
        this.call = call;
        responses = call.ReadAllAsync(cancellationToken).GetAsyncEnumerator(cancellationToken);
    }

    public EtcdEndpoint Endpoint { get; }

    /// <summary>The next response, or null when etcd ended the call.</summary>
    public async Task<WatchResponse?> ReadAsync() =>
        await responses.MoveNextAsync().ConfigureAwait(false) ? responses.Current : null;

    public async ValueTask DisposeAsync()
    {
        await call.DisposeAsync().ConfigureAwait(false);
        await responses.DisposeAsync().ConfigureAwait(false);
    }
}
