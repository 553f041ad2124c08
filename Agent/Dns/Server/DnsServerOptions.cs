using System.Net;
using System.Net.Sockets;

namespace Routing.Agent.Dns.Server;

/// <summary>Makes the server's sockets: tests make them inside a network namespace.</summary>
public delegate Socket SocketFactory(AddressFamily family, SocketType type, ProtocolType protocol);

public sealed record DnsServerOptions
{
    /// <summary>Address and port to serve on, UDP and TCP (port 0: any free port, the same for both).</summary>
    public required IPEndPoint Listen { get; init; }

    /// <summary>Resolvers that answer names outside the cluster zone, tried in order.</summary>
    public IReadOnlyList<IPEndPoint> Upstreams { get; init; } = [];

    /// <summary>Threads that receive UDP queries (each answers what it receives).</summary>
    public int UdpReceivers { get; init; } = Math.Clamp(Environment.ProcessorCount, 1, 4);

    /// <summary>How long one upstream is given to answer before the next is asked.</summary>
    public TimeSpan UpstreamTimeout { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>How many forwarded answers are kept (per question: name, type, class, EDNS flags).</summary>
    public int CacheCapacity { get; init; } = 10_000;

    /// <summary>The longest a forwarded answer is kept, whatever its TTL.</summary>
    public TimeSpan CacheMaxTtl { get; init; } = TimeSpan.FromMinutes(5);

    /// <summary>How long an idle TCP connection is kept (RFC 7766 §6.2.3).</summary>
    public TimeSpan TcpIdleTimeout { get; init; } = TimeSpan.FromSeconds(10);

    public SocketFactory SocketFactory { get; init; } = static (family, type, protocol) => new Socket(family, type, protocol);
}
