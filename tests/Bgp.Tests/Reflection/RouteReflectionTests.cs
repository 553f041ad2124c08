using System.Net;
using Routing.Bgp.Reflection;
using Routing.Bgp.Rib;
using Routing.Bgp.Wire;
using Routing.Bgp.Wire.Attributes;

namespace Routing.Bgp.Tests.Reflection;

/// <summary>The rules of RFC 4456 on their own: who gets a reflected path, what it carries, what is a loop.</summary>
public sealed class RouteReflectionTests
{
    private const uint ClusterId = 0x0A000001;
    private static readonly RouteSource Client = new(IPAddress.Parse("10.0.0.2"), 0x0A000002, 65001, false);

    private static Route RouteFrom(RouteSource source, PathAttributes? attributes = null) =>
        new(Prefix.Parse("10.20.0.0/26"), attributes ?? new PathAttributes { LocalPref = 100 }, IPAddress.Parse("10.0.0.2"), source);

    [Theory]
    [InlineData(true, true, true)]
    [InlineData(true, false, true)]
    [InlineData(false, true, true)]
    [InlineData(false, false, false)]
    public void A_path_from_a_client_goes_to_everyone_and_one_from_a_non_client_to_clients_only(bool fromClient, bool toClient, bool reflected)
    {
        Assert.Equal(reflected, RouteReflection.Reflects(fromClient, toClient));
    }

    [Fact]
    public void Reflection_sets_the_originator_to_the_sender_and_prepends_the_cluster_ID_leaving_the_rest()
    {
        var attributes = RouteReflection.ReflectTo(RouteFrom(Client, new PathAttributes { LocalPref = 200, MultiExitDisc = 5 }), fromClient: true, toClient: false, ClusterId)!;

        Assert.Equal(0x0A000002u, attributes.OriginatorId);
        Assert.Equal([ClusterId], attributes.ClusterList.ToArray());
        Assert.Equal(200u, attributes.LocalPref);
        Assert.Equal(5u, attributes.MultiExitDisc);
        Assert.Equal(AsPath.Empty, attributes.AsPath);
    }

    [Fact]
    public void A_path_reflected_before_keeps_its_originator_and_gains_our_cluster_ID_in_front()
    {
        var before = new PathAttributes { OriginatorId = 0x0A000009, ClusterList = new uint[] { 0x0A0000FE } };

        var attributes = RouteReflection.Reflect(before, learnedFromRouterId: 0x0A000002, ClusterId);

        Assert.Equal(0x0A000009u, attributes.OriginatorId);
        Assert.Equal([ClusterId, 0x0A0000FEu], attributes.ClusterList.ToArray());
    }

    [Fact]
    public void EBGP_learned_and_own_paths_are_not_reflected()
    {
        var external = new RouteSource(IPAddress.Parse("192.0.2.1"), 0xC0000201, 65100, true);
        Assert.Null(RouteReflection.ReflectTo(RouteFrom(external), fromClient: true, toClient: true, ClusterId));
        Assert.Null(RouteReflection.ReflectTo(RouteFrom(RouteSource.Local), fromClient: true, toClient: true, ClusterId));
    }

    [Fact]
    public void Our_router_ID_as_originator_or_our_cluster_ID_in_the_cluster_list_is_a_loop()
    {
        Assert.Contains("ORIGINATOR_ID", RouteReflection.Loop(new PathAttributes { OriginatorId = 0x0A000005 }, routerId: 0x0A000005, clusterId: null));
        Assert.Contains("10.0.0.1", RouteReflection.Loop(new PathAttributes { ClusterList = new uint[] { 7, ClusterId } }, routerId: 0x0A000005, clusterId: ClusterId));
        Assert.Null(RouteReflection.Loop(new PathAttributes { ClusterList = new uint[] { ClusterId } }, routerId: 0x0A000005, clusterId: null));
        Assert.Null(RouteReflection.Loop(new PathAttributes { OriginatorId = 0x0A000002, ClusterList = new uint[] { 7 } }, routerId: 0x0A000005, clusterId: ClusterId));
    }

    [Fact]
    public void Between_equal_paths_the_shorter_cluster_list_wins_after_the_originator()
    {
        var near = RouteFrom(new RouteSource(IPAddress.Parse("10.0.0.3"), 0x0A000003, 65001, false), new PathAttributes { OriginatorId = 0x0A000009, ClusterList = new uint[] { 1 } });
        var far = RouteFrom(new RouteSource(IPAddress.Parse("10.0.0.2"), 0x0A000002, 65001, false), new PathAttributes { OriginatorId = 0x0A000009, ClusterList = new uint[] { 1, 2 } });

        var result = BestPath.Select([far, near]);

        Assert.Same(near, result.Best);
        Assert.Equal(BestPathReason.ClusterListLength, result.Reason);
    }
}
