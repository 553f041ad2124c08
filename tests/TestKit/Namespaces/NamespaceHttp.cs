using System.Net;
using System.Net.Sockets;

namespace Routing.TestKit.Namespaces;

/// <summary>HTTP from the test process to a server inside a namespace (e.g. an agent's /readyz on its 127.0.0.1).</summary>
public static class NamespaceHttp
{
    /// <summary>A client whose connections are made from sockets living in <paramref name="ns"/>.</summary>
    public static HttpClient ClientIn(NetNs ns)
    {
        ArgumentNullException.ThrowIfNull(ns);
        var handler = new SocketsHttpHandler
        {
            ConnectCallback = async (context, cancellationToken) =>
            {
                var endpoint = context.DnsEndPoint;
                var address = IPAddress.Parse(endpoint.Host);
                var socket = ns.CreateSocket(address.AddressFamily);
                try
                {
                    await socket.ConnectAsync(new IPEndPoint(address, endpoint.Port), cancellationToken).ConfigureAwait(false);
                    return new NetworkStream(socket, ownsSocket: true);
                }
                catch
                {
                    socket.Dispose();
                    throw;
                }
            },
        };
        return new HttpClient(handler) { Timeout = TimeSpan.FromSeconds(10) };
    }
}
