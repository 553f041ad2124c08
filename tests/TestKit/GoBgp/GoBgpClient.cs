using Apipb;
using Google.Protobuf.WellKnownTypes;
using Routing.Agent.Api.Grpc;

namespace Routing.TestKit.GoBgp;

/// <summary>
/// Typed calls to gobgpd's <c>apipb.GobgpApi</c> service; the messages are generated at build time
/// by Grpc.Tools from the .proto files of golang-github-osrg-gobgp-dev.
/// </summary>
public sealed class GoBgpClient : IDisposable
{
    private const string Service = "/apipb.GobgpApi/";
    private readonly GrpcConnection connection;

    /// <summary>Talks to gobgpd's API on a unix socket (<c>--api-hosts unix://PATH</c>).</summary>
    public GoBgpClient(string unixSocketPath)
    {
        connection = new GrpcConnection(unixSocketPath);
    }

    public static Family Ipv4Unicast => new() { Afi = Family.Types.Afi.Ip, Safi = Family.Types.Safi.Unicast };

    public static Family Ipv6Unicast => new() { Afi = Family.Types.Afi.Ip6, Safi = Family.Types.Safi.Unicast };

    public Task StartBgpAsync(Global global, CancellationToken cancellationToken = default) =>
        connection.UnaryAsync(Service + "StartBgp", new StartBgpRequest { Global = global }, Empty.Parser, cancellationToken);

    public Task<GetBgpResponse> GetBgpAsync(CancellationToken cancellationToken = default) =>
        connection.UnaryAsync(Service + "GetBgp", new GetBgpRequest(), GetBgpResponse.Parser, cancellationToken);

    public Task AddPeerAsync(Peer peer, CancellationToken cancellationToken = default) =>
        connection.UnaryAsync(Service + "AddPeer", new AddPeerRequest { Peer = peer }, Empty.Parser, cancellationToken);

    /// <summary>All peers, or the one at <paramref name="address"/>.</summary>
    public async Task<IReadOnlyList<Peer>> ListPeerAsync(string? address = null, CancellationToken cancellationToken = default)
    {
        var request = new ListPeerRequest { Address = address ?? string.Empty, EnableAdvertised = true };
        List<Peer> peers = [];
        await foreach (var response in connection.ServerStreamingAsync(Service + "ListPeer", request, ListPeerResponse.Parser, cancellationToken)
                           .ConfigureAwait(false))
        {
            peers.Add(response.Peer);
        }

        return peers;
    }

    /// <summary>The destinations of a table (global RIB, or a neighbour's Adj-RIB-In/Out when <c>Name</c> is its address).</summary>
    public async Task<IReadOnlyList<Destination>> ListPathAsync(ListPathRequest request, CancellationToken cancellationToken = default)
    {
        List<Destination> destinations = [];
        await foreach (var response in connection.ServerStreamingAsync(Service + "ListPath", request, ListPathResponse.Parser, cancellationToken)
                           .ConfigureAwait(false))
        {
            destinations.Add(response.Destination);
        }

        return destinations;
    }

    /// <summary>Originates a path; returns the UUID gobgpd gives it.</summary>
    public async Task<Google.Protobuf.ByteString> AddPathAsync(Apipb.Path path, CancellationToken cancellationToken = default)
    {
        var response = await connection.UnaryAsync(
                Service + "AddPath",
                new AddPathRequest { TableType = TableType.Global, Path = path },
                AddPathResponse.Parser,
                cancellationToken)
            .ConfigureAwait(false);
        return response.Uuid;
    }

    public Task DeletePathAsync(Apipb.Path path, CancellationToken cancellationToken = default) =>
        connection.UnaryAsync(
            Service + "DeletePath",
            new DeletePathRequest { TableType = TableType.Global, Family = path?.Family, Path = path },
            Empty.Parser,
            cancellationToken);

    public void Dispose() => connection.Dispose();
}
