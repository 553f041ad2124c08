using System.Net;
using Routing.Agent.Routes;
using Routing.Bgp.Rib;
using Routing.Bgp.Sessions;
using Routing.Bgp.Wire;
using Routing.Bgp.Wire.Attributes;
using Routing.Dataplane.Netlink;
using Routing.Dataplane.Routes;
using KernelRoute = Routing.Dataplane.Routes.Route;

namespace Routing.Agent.Tests.Routes;

/// <summary>What the agent wants in the kernel as the Loc-RIB and the node's blocks change (the route table's desired set; the kernel side has its own tests).</summary>
public sealed class KernelRoutesTests : IDisposable
{
    private static readonly IPAddress Node2 = IPAddress.Parse("10.0.0.2");
    private static readonly IPAddress Node3 = IPAddress.Parse("10.0.0.3");
    private readonly RouteTable table = new(new NoKernel(), null);

    public void Dispose() => table.Dispose();

    private static Speaker NewSpeaker() => new(new SpeakerConfig { Asn = 64512, RouterId = IPAddress.Parse("10.0.0.1") });

    private static void Announce(Speaker speaker, IPAddress peer, params string[] prefixes)
    {
        var path = new PathInfo(new PathAttributes { Origin = Origin.Igp, AsPath = AsPath.Empty, NextHop = peer, LocalPref = 100 }, peer, new RouteSource(peer, 1, 64512, false));
        speaker.LocRib.Apply(peer, prefixes.Select(p => (new Nlri(Prefix.Parse(p)), path)).ToArray(), []);
    }

    private static void Withdraw(Speaker speaker, IPAddress peer, string prefix) =>
        speaker.LocRib.Withdraw(peer, [(AfiSafi.Ipv4Unicast, new Nlri(Prefix.Parse(prefix)))]);

    private string[] Desired() => table.Desired
        .Select(r => r.Type == RouteType.Blackhole ? $"blackhole {r.Destination}"
            : r.NextHops.IsDefaultOrEmpty ? $"{r.Destination} via {r.Gateway}"
            : $"{r.Destination} via {string.Join(" and ", r.NextHops.Select(h => h.Gateway))}")
        .Order(StringComparer.Ordinal)
        .ToArray();

    [Fact]
    public async Task A_peers_best_path_becomes_a_route_via_its_next_hop_and_goes_when_withdrawn()
    {
        await using var speaker = NewSpeaker();
        var routes = new KernelRoutes(table);
        routes.Attach(speaker);

        Announce(speaker, Node2, "10.244.2.0/26", "10.244.5.0/26");
        Assert.Equal(["10.244.2.0/26 via 10.0.0.2", "10.244.5.0/26 via 10.0.0.2"], Desired());

        Withdraw(speaker, Node2, "10.244.5.0/26");
        Assert.Equal(["10.244.2.0/26 via 10.0.0.2"], Desired());
        Assert.All(table.Desired, r => Assert.Equal(RouteProtocols.Routing, r.Protocol));
    }

    [Fact]
    public async Task Own_blocks_are_blackholed_and_win_over_a_learned_route_to_the_same_prefix()
    {
        await using var speaker = NewSpeaker();
        var routes = new KernelRoutes(table);
        routes.Attach(speaker);
        Announce(speaker, Node2, "10.244.1.0/26");

        routes.SetOwnBlocks([Prefix.Parse("10.244.1.0/26"), Prefix.Parse("10.244.7.0/26")]);
        Assert.Equal(["blackhole 10.244.1.0/26", "blackhole 10.244.7.0/26"], Desired());

        routes.SetOwnBlocks([Prefix.Parse("10.244.7.0/26")]);
        Assert.Equal(["10.244.1.0/26 via 10.0.0.2", "blackhole 10.244.7.0/26"], Desired());
    }

    [Fact]
    public async Task What_the_speaker_originates_itself_is_not_routed()
    {
        await using var speaker = NewSpeaker();
        var routes = new KernelRoutes(table);
        routes.Attach(speaker);

        speaker.SetOriginated([Prefix.Parse("10.20.0.0/26")]);

        Assert.Empty(Desired());
    }

    [Fact]
    public async Task Two_peers_equal_paths_are_one_multipath_route_and_the_other_takes_over_when_one_goes()
    {
        await using var speaker = NewSpeaker();
        var routes = new KernelRoutes(table);
        routes.Attach(speaker);

        // Equal up to the tie-breaks (the lower peer address is best): ECMP over both next hops.
        Announce(speaker, Node3, "10.244.9.0/26");
        Announce(speaker, Node2, "10.244.9.0/26");
        Assert.Equal(["10.244.9.0/26 via 10.0.0.2 and 10.0.0.3"], Desired());

        Withdraw(speaker, Node2, "10.244.9.0/26");
        Assert.Equal(["10.244.9.0/26 via 10.0.0.3"], Desired());

        Announce(speaker, Node2, "10.244.9.0/26");
        Withdraw(speaker, Node3, "10.244.9.0/26");
        Assert.Equal(["10.244.9.0/26 via 10.0.0.2"], Desired());
    }

    [Fact]
    public async Task A_new_speaker_starts_from_nothing_and_the_old_ones_late_changes_are_ignored()
    {
        await using var old = NewSpeaker();
        await using var next = NewSpeaker();
        var routes = new KernelRoutes(table);
        routes.Attach(old);
        Announce(old, Node2, "10.244.2.0/26");

        routes.Attach(next);
        Assert.Empty(Desired());

        Announce(old, Node2, "10.244.3.0/26");
        Announce(next, Node3, "10.244.4.0/26");
        Assert.Equal(["10.244.4.0/26 via 10.0.0.3"], Desired());
    }

    [Fact]
    public void The_CNI_plugins_pod_routes_are_recognised_and_the_agents_own_routes_are_not()
    {
        Assert.True(KernelRoutes.IsPodRoute(new KernelRoute { Destination = IPNetwork.Parse("10.244.1.5/32"), InterfaceIndex = 9, Scope = RouteScope.Link }));
        Assert.True(KernelRoutes.IsPodRoute(new KernelRoute { Destination = IPNetwork.Parse("fd00:244::5/128"), InterfaceIndex = 9 }));
        Assert.False(KernelRoutes.IsPodRoute(KernelRoutes.Desired(Prefix.Parse("10.244.1.0/26"), ownBlock: true, best: null)!));
        Assert.False(KernelRoutes.IsPodRoute(new KernelRoute { Destination = IPNetwork.Parse("10.244.1.5/32"), Gateway = Node2 }));
        Assert.False(KernelRoutes.IsPodRoute(new KernelRoute { Destination = IPNetwork.Parse("10.244.1.0/26"), InterfaceIndex = 9 }));
    }

    private sealed class NoKernel : IKernelRoutes
    {
        public List<KernelRoute> ListByProtocol(byte protocol) => [];

        public NetlinkBatchResult Send(RouteBatch batch) => throw new NotSupportedException("these tests never apply");
    }
}
