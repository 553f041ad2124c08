using Routing.Dataplane.Links;
using Routing.Dataplane.Native;
using Routing.Dataplane.Netlink;

namespace Routing.Dataplane.Tests.Links;

public class KernelFeaturesTests
{
    private static KernelFeatureMissingException NoIpip() =>
        new("ipip", KernelFeatures.AlternativeTo("ipip"), new NetlinkException("create ipip link tunl0", Errno.EOPNOTSUPP, "Unknown device type"));

    [Fact]
    public void The_message_names_the_module_and_the_VXLAN_alternative()
    {
        var error = NoIpip();

        Assert.Equal(
            "the kernel has no ipip support (the ipip module is not loaded and could not be loaded; create ipip link tunl0: "
            + $"{Errno.Describe(Errno.EOPNOTSUPP)}: Unknown device type); use VXLAN (ipipMode: Never with vxlanMode: Always or CrossSubnet on the IP pool) instead",
            error.Message);
        Assert.Equal("ipip", error.Feature);
        Assert.Contains("vxlanMode: Always or CrossSubnet", error.Alternative, StringComparison.Ordinal);
    }

    [Fact]
    public void A_missing_feature_is_reported_once()
    {
        var features = new KernelFeatures();

        Assert.Null(features.MissingError("ipip"));
        Assert.True(features.Record(NoIpip()));
        Assert.False(features.Record(NoIpip()));
        Assert.Equal(["ipip"], features.Missing);
        Assert.NotNull(features.MissingError("ipip"));
    }

    [Fact]
    public void Only_EOPNOTSUPP_means_a_missing_kind()
    {
        Assert.True(KernelFeatures.IsMissingKind(new NetlinkException("create ipip link tunl0", Errno.EOPNOTSUPP)));
        Assert.False(KernelFeatures.IsMissingKind(new NetlinkException("create ipip link tunl0", Errno.EEXIST)));
    }
}
