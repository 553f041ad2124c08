using Apipb;
using Routing.TestKit.Daemons;
using Routing.TestKit.Namespaces;
using Xunit.Abstractions;

namespace Routing.Interop.Tests.Bgp;

/// <summary>
/// The harness the BGP speaker's interop tests build on: gobgpd and BIRD in two namespaces,
/// peering over eBGP on a veth link.
/// </summary>
[Trait("Category", "Netns")]
public sealed class GoBgpBirdPeeringTests(ITestOutputHelper output)
{
    private const string GoBgpAddress = "10.0.0.1";
    private const string BirdAddress = "10.0.0.2";
    private const string Originated = "10.99.0.0/24";

    private static string BirdConfig(uint expectedGoBgpAs, bool originate) =>
        (originate ? BirdDaemon.StaticRoutes("pod_blocks", [Originated]) : string.Empty) +
        $$"""
        protocol bgp gobgp {
          local {{BirdAddress}} as 65002;
          neighbor {{GoBgpAddress}} as {{expectedGoBgpAs}};
          hold time 9;
          keepalive time 3;
          connect delay time 1;
          connect retry time 1;
          error wait time 1, 5;
          ipv4 { import all; export where source = RTS_STATIC; };
        }
        """;

    private static async Task<(Topology Lab, GoBgpDaemon GoBgp, BirdDaemon Bird)> StartAsync(ITestOutputHelper output, uint birdExpectsAs)
    {
        var lab = new Topology(output);
        try
        {
            var gobgpNs = await lab.AddNamespaceAsync("gobgp");
            var birdNs = await lab.AddNamespaceAsync("bird");
            await lab.LinkAsync(gobgpNs, $"{GoBgpAddress}/30", birdNs, $"{BirdAddress}/30");

            var gobgp = lab.Add(await GoBgpDaemon.StartAsync(gobgpNs, asn: 65001, routerId: GoBgpAddress, listenAddresses: [GoBgpAddress]));
            await gobgp.AddNeighborAsync(BirdAddress, peerAsn: 65002);
            var bird = lab.Add(await BirdDaemon.StartAsync(birdNs, BirdAddress, BirdConfig(birdExpectsAs, originate: true)));
            return (lab, gobgp, bird);
        }
        catch
        {
            await lab.DisposeAsync();
            throw;
        }
    }

    [SkippableFact]
    public async Task Prefix_originated_by_BIRD_appears_in_GoBGP_RIB_and_goes_when_withdrawn()
    {
        var (lab, gobgp, bird) = await StartAsync(output, birdExpectsAs: 65001);
        await using (lab)
        {
            await lab.UntilAsync("gobgpd's session with BIRD to be Established", async ct =>
                await gobgp.SessionStateAsync(BirdAddress, ct) == PeerState.Types.SessionState.Established);
            Assert.Equal("Established", await bird.ProtocolStateAsync("gobgp"));

            await lab.UntilAsync($"{Originated} in gobgpd's RIB", async ct =>
                (await gobgp.RibPrefixesAsync(cancellationToken: ct)).Contains(Originated));
            Assert.Contains(Originated, await gobgp.AdjRibInPrefixesAsync(BirdAddress));

            await bird.ConfigureAsync(BirdConfig(65001, originate: false));

            await lab.UntilAsync($"{Originated} withdrawn from gobgpd's RIB", async ct =>
                !(await gobgp.RibPrefixesAsync(cancellationToken: ct)).Contains(Originated));
            Assert.Equal(PeerState.Types.SessionState.Established, await gobgp.SessionStateAsync(BirdAddress));
        }
    }

    [SkippableFact]
    public async Task A_broken_peer_config_fails_the_wait_with_the_daemons_logs()
    {
        // BIRD expects the wrong AS from gobgpd: it refuses the OPEN with "Bad peer AS".
        var (lab, gobgp, _) = await StartAsync(output, birdExpectsAs: 65009);
        await using (lab)
        {
            var failure = await Assert.ThrowsAsync<TopologyTimeoutException>(() =>
                lab.UntilAsync("gobgpd's session with BIRD to be Established", async ct =>
                    await gobgp.SessionStateAsync(BirdAddress, ct) == PeerState.Types.SessionState.Established,
                    TimeSpan.FromSeconds(6)));

            Assert.Contains("waiting for: gobgpd's session with BIRD to be Established", failure.Message, StringComparison.Ordinal);
            Assert.Contains("===== log of bird-bird =====", failure.Message, StringComparison.Ordinal);
            Assert.Contains("Bad peer AS", failure.Message, StringComparison.Ordinal);
            Assert.Contains("===== log of gobgp-gobgpd =====", failure.Message, StringComparison.Ordinal);
        }
    }
}
