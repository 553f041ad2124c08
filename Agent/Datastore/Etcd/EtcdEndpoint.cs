using System.Net.Http;
using Routing.Agent.Api.Grpc;

namespace Routing.Agent.Datastore.Etcd;

/// <summary>One etcd member the store talks to: its address as the user wrote it, and its HTTP/2 connection pool.</summary>
internal sealed class EtcdEndpoint : IDisposable
{
    public EtcdEndpoint(string address, EtcdStoreOptions options)
    {
        Address = address.TrimEnd('/');
        var handler = new SocketsHttpHandler
        {
            ConnectTimeout = options.ConnectTimeout,
            KeepAlivePingDelay = options.KeepAliveInterval,
            KeepAlivePingTimeout = options.KeepAliveInterval,
            KeepAlivePingPolicy = HttpKeepAlivePingPolicy.WithActiveRequests,
        };
        Connection = new GrpcConnection(new Uri(Address), handler);
    }

    /// <summary>http://127.0.0.1:2379, as in the datastore URI (for messages).</summary>
    public string Address { get; }

    public GrpcConnection Connection { get; }

    public override string ToString() => Address;

    public void Dispose() => Connection.Dispose();
}
