using System.Net;
using Routing.Bgp.Wire;
using Routing.TestKit.Daemons;
using Routing.TestKit.Namespaces;
using Xunit.Abstractions;

namespace Routing.Interop.Tests.Bgp;

/// <summary>
/// Route reflection (RFC 4456) against BIRD 2, both ways: BIRD clients learn each other's routes
/// through our reflector, and we learn a BIRD client's route through a BIRD reflector.
/// </summary>
[Trait("Category", "Netns")]
public sealed class RouteReflectionWithBirdTests(ITestOutputHelper output)
{
    private const uint As = 65050;

    /// <summary>An iBGP BIRD that originates <paramref name="prefix"/> and peers with <paramref name="neighbors"/>.</summary>
    private static string BirdConfig(Router r, string prefix, IEnumerable<(string Name, string Address, bool Client)> neighbors, string? clusterId = null)
    {
        var text = BirdDaemon.StaticRoutes("blocks", [prefix]);
        foreach (var (name, address, client) in neighbors)
        {
            text += $$"""
                protocol bgp {{name}} {
                  local {{r.Address}} as {{As}};
                  neighbor {{address}} as {{As}};
                  direct;
                  hold time 9;
                  connect delay time 1;
                  connect retry time 1;
                  error wait time 1, 4;
                  {{(client ? "rr client;" : string.Empty)}}
                  {{(clusterId is null ? string.Empty : $"rr cluster id {clusterId};")}}
                  ipv4 { import all; export all; gateway direct; };
                }

                """;
        }

        return text;
    }

    [SkippableFact]
    public async Task BIRD_clients_learn_each_others_routes_through_our_reflector_with_originator_and_cluster_list()
    {
        await using var lab = new Topology(output);
        var s = await SpeakerLab.CreateAsync(lab, 51, As, clusterId: IPAddress.Parse("10.255.0.1"));
        var a = await s.AddRouterAsync("bird-a", 2);
        var b = await s.AddRouterAsync("bird-b", 3);
        var birdA = lab.Add(await BirdDaemon.StartAsync(a.Ns, a.Address, BirdConfig(a, "10.51.2.0/26", [("reflector", s.OurAddress, false)])));
        var birdB = lab.Add(await BirdDaemon.StartAsync(b.Ns, b.Address, BirdConfig(b, "10.51.3.0/26", [("reflector", s.OurAddress, false)])));
        s.Speaker.AddOrUpdatePeer(s.Peer(a, As) with { RouteReflectorClient = true });
        s.Speaker.AddOrUpdatePeer(s.Peer(b, As) with { RouteReflectorClient = true });

        await lab.UntilAsync("bird-b to learn bird-a's block through us", async _ => (await birdB.RoutePrefixesAsync("reflector")).Contains("10.51.2.0/26"));
        await lab.UntilAsync("bird-a to learn bird-b's block through us", async _ => (await birdA.RoutePrefixesAsync("reflector")).Contains("10.51.3.0/26"));

        var detail = await birdB.QueryAsync("show route 10.51.2.0/26 all");
        Assert.Contains($"BGP.originator_id: {a.Address}", detail, StringComparison.Ordinal);
        Assert.Contains("BGP.cluster_list: 10.255.0.1", detail, StringComparison.Ordinal);
        Assert.Contains($"BGP.next_hop: {a.Address}", detail, StringComparison.Ordinal);

        // Withdrawn at bird-a, gone from bird-b.
        await birdA.QueryAsync("disable blocks");
        await lab.UntilAsync("bird-a's block withdrawn from bird-b", async _ => !(await birdB.RoutePrefixesAsync("reflector")).Contains("10.51.2.0/26"));
    }

    [SkippableFact]
    public async Task We_learn_a_clients_route_through_a_BIRD_reflector_and_it_learns_ours()
    {
        await using var lab = new Topology(output);
        var s = await SpeakerLab.CreateAsync(lab, 52, As);
        s.Speaker.SetOriginated([Prefix.Parse("10.52.1.0/26")]);
        var reflector = await s.AddRouterAsync("bird-rr", 2);
        var client = await s.AddRouterAsync("bird-client", 3);
        var birdRr = lab.Add(await BirdDaemon.StartAsync(reflector.Ns, reflector.Address, BirdConfig(
            reflector, "10.52.2.0/26", [("routing", s.OurAddress, true), ("peer_client", client.Address, true)], clusterId: "10.255.0.2")));
        var birdClient = lab.Add(await BirdDaemon.StartAsync(client.Ns, client.Address, BirdConfig(client, "10.52.3.0/26", [("reflector", reflector.Address, false)])));
        s.Speaker.AddOrUpdatePeer(s.Peer(reflector, As));

        var route = await s.UntilInRibAsync(reflector, "10.52.3.0/26");
        Assert.Equal(client.Ip, route.NextHop);
        Assert.Equal(Id(client.Address), route.Attributes.OriginatorId);
        Assert.Equal([Id("10.255.0.2")], route.Attributes.ClusterList.ToArray());
        await s.UntilInRibAsync(reflector, "10.52.2.0/26", r => r.Attributes.OriginatorId is null && r.Attributes.ClusterList.IsEmpty);

        await lab.UntilAsync("the BIRD client to learn our block through its reflector", async _ => (await birdClient.RoutePrefixesAsync("reflector")).Contains("10.52.1.0/26"));
        var detail = await birdClient.QueryAsync("show route 10.52.1.0/26 all");
        Assert.Contains($"BGP.originator_id: {s.OurAddress}", detail, StringComparison.Ordinal);
        Assert.Contains("BGP.cluster_list: 10.255.0.2", detail, StringComparison.Ordinal);
        _ = birdRr;
    }

    private static uint Id(string dotted) => System.Buffers.Binary.BinaryPrimitives.ReadUInt32BigEndian(IPAddress.Parse(dotted).GetAddressBytes());
}
