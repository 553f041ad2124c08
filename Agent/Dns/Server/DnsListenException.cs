using System.Net;
using System.Net.Sockets;

namespace Routing.Agent.Dns.Server;

/// <summary>The server could not take its address: named with the option that gives it, and what to check.</summary>
public sealed class DnsListenException(IPEndPoint endPoint, SocketException inner)
    : Exception($"--dns-listen {endPoint}: cannot serve DNS there ({inner.Message}); the address must be one of this node's, and the port free for UDP and TCP", inner)
{
    public IPEndPoint EndPoint { get; } = endPoint;
}
