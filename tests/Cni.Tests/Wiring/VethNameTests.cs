using System.Security.Cryptography;
using System.Text;
using Routing.Cni.Wiring;

namespace Routing.Cni.Tests.Wiring;

public sealed class VethNameTests
{
    [Fact]
    public void The_name_is_the_prefix_and_sha1_of_namespace_dot_pod_as_calico_names_it()
    {
#pragma warning disable CA5350 // the name Calico gives, not security
        var expected = "cali" + Convert.ToHexStringLower(SHA1.HashData(Encoding.UTF8.GetBytes("default.web-0")))[..11];
#pragma warning restore CA5350

        Assert.Equal(expected, VethName.For("cali", "default", "web-0", "ignored"));
        Assert.Equal(15, expected.Length);
    }

    [Fact]
    public void A_shorter_prefix_keeps_more_hash_and_no_pod_falls_back_to_the_container()
    {
        Assert.Equal(15, VethName.For("r", "ns", "p", "c").Length);
        Assert.NotEqual(VethName.For("cali", null, null, "c1"), VethName.For("cali", null, null, "c2"));
    }
}
