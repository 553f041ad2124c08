using System.Net.Sockets;
using Routing.Dataplane.Ipsets;

namespace Routing.Dataplane.Tests.Ipsets;

public class IpsetDiffTests
{
    private const long Max = 1 << 20;

    private static Ipset Pods(params string[] members) => new("rt-pods", IpsetType.HashIp, AddressFamily.InterNetwork, members);

    private static Dictionary<string, Ipset> Wanted(params Ipset[] sets) => sets.ToDictionary(s => s.Name, StringComparer.Ordinal);

    private static IpsetSnapshot Kernel(string save) => IpsetSaveParser.Parse(save, "rt-");

    private static string[] Addresses(int count, int offset = 0) =>
        Enumerable.Range(offset, count).Select(i => $"10.0.{i / 256}.{i % 256}").ToArray();

    [Fact]
    public void A_missing_set_is_created()
    {
        var update = Assert.Single(IpsetDiff.Compute(Wanted(Pods("10.0.0.1")), Kernel(""), null, Max).Updates);

        Assert.Equal(IpsetUpdateKind.Create, update.Kind);
    }

    [Fact]
    public void A_set_with_its_members_needs_nothing() =>
        Assert.True(IpsetDiff.Compute(Wanted(Pods("10.0.0.1")), Kernel("create rt-pods hash:ip family inet maxelem 1048576\nadd rt-pods 10.0.0.1\n"), null, Max).IsEmpty);

    [Fact]
    public void A_small_difference_is_added_and_deleted_in_place()
    {
        var wanted = Pods([.. Addresses(10), "10.9.0.1"]);
        var save = "create rt-pods hash:ip family inet maxelem 1048576\n" + string.Concat(Addresses(11).Select(a => $"add rt-pods {a}\n"));

        var update = Assert.Single(IpsetDiff.Compute(Wanted(wanted), Kernel(save), null, Max).Updates);

        Assert.Equal(IpsetUpdateKind.Incremental, update.Kind);
        Assert.Equal(["10.9.0.1"], update.Added);
        Assert.Equal(["10.0.0.10"], update.Removed);
    }

    [Fact]
    public void A_change_larger_than_the_set_goes_through_a_swap()
    {
        var save = "create rt-pods hash:ip family inet maxelem 1048576\n" + string.Concat(Addresses(100).Select(a => $"add rt-pods {a}\n"));

        var update = Assert.Single(IpsetDiff.Compute(Wanted(Pods(Addresses(10, offset: 500))), Kernel(save), null, Max).Updates);

        Assert.Equal(IpsetUpdateKind.Swap, update.Kind);
    }

    [Fact]
    public void A_set_too_small_for_its_members_is_swapped_for_a_larger_one()
    {
        var update = Assert.Single(IpsetDiff.Compute(Wanted(Pods(Addresses(3))), Kernel("create rt-pods hash:ip family inet maxelem 2\n"), null, Max).Updates);

        Assert.Equal(IpsetUpdateKind.Swap, update.Kind);
    }

    [Theory]
    [InlineData("create rt-pods hash:net family inet maxelem 1048576\n")]
    [InlineData("create rt-pods hash:ip family inet6 maxelem 1048576\n")]
    public void Another_type_or_family_means_destroy_and_create(string save)
    {
        var update = Assert.Single(IpsetDiff.Compute(Wanted(Pods("10.0.0.1")), Kernel(save), null, Max).Updates);

        Assert.Equal(IpsetUpdateKind.Recreate, update.Kind);
    }

    [Fact]
    public void Sets_of_ours_nobody_wants_are_destroyed_and_only_the_given_names_are_compared()
    {
        var kernel = Kernel("create rt-old hash:ip family inet\ncreate rt-t:abc hash:ip family inet\ncreate rt-pods hash:ip family inet\n");

        Assert.Equal(["rt-old", "rt-t:abc"], IpsetDiff.Compute(Wanted(Pods()), kernel, null, Max).Destroys);
        Assert.Equal(["rt-old"], IpsetDiff.Compute(Wanted(Pods()), kernel, ["rt-old"], Max).Destroys);
    }
}
