using System.Net;
using System.Text.Json;
using Routing.Cni.Results;

namespace Routing.Cni.Tests.Results;

public sealed class PodResultTests
{
    private static readonly PodResult Sample = new(
        [new ResultInterface("cali0123456789a", "ee:ee:ee:ee:ee:ee", null), new ResultInterface("eth0", "02:00:00:00:00:01", "/run/netns/p", 1450)],
        [new ResultIp(IpCidr.Parse("10.244.0.5/32"), IPAddress.Parse("169.254.1.1"), 1), new ResultIp(IpCidr.Parse("fd00::5/128"), IPAddress.Parse("fe80::ecee:eeff:feee:eeee"), 1)],
        [new ResultRoute(IpCidr.Parse("0.0.0.0/0"), IPAddress.Parse("169.254.1.1"))]);

    private static JsonDocument Written(PodResult result, string version)
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer))
        {
            result.Write(json, version);
        }

        return JsonDocument.Parse(buffer.ToArray());
    }

    [Theory]
    [InlineData("0.3.0", true, false)]
    [InlineData("0.3.1", true, false)]
    [InlineData("0.4.0", true, false)]
    [InlineData("1.0.0", false, false)]
    [InlineData("1.1.0", false, true)]
    public void The_result_has_the_fields_of_the_requested_version(string version, bool ipVersion, bool interfaceMtu)
    {
        using var json = Written(Sample, version);
        var root = json.RootElement;

        Assert.Equal(version, root.GetProperty("cniVersion").GetString());
        var ips = root.GetProperty("ips");
        Assert.Equal(ipVersion, ips[0].TryGetProperty("version", out var v4));
        if (ipVersion)
        {
            Assert.Equal("4", v4.GetString());
            Assert.Equal("6", ips[1].GetProperty("version").GetString());
        }

        Assert.Equal(interfaceMtu, root.GetProperty("interfaces")[1].TryGetProperty("mtu", out _));
        Assert.Equal("0.0.0.0/0", root.GetProperty("routes")[0].GetProperty("dst").GetString());
        Assert.Equal(JsonValueKind.Object, root.GetProperty("dns").ValueKind);
        Assert.False(root.GetProperty("interfaces")[0].TryGetProperty("sandbox", out _));
    }

    [Fact]
    public void A_prev_result_of_an_older_version_parses_and_chaining_moves_interface_indexes()
    {
        using var prev = JsonDocument.Parse("""
            {"cniVersion":"0.3.1","interfaces":[{"name":"macvlan0","sandbox":"/x"}],
             "ips":[{"version":"4","address":"192.168.1.7/24","gateway":"192.168.1.1","interface":0}],
             "routes":[{"dst":"192.168.0.0/16"}],"dns":{"nameservers":["10.96.0.10"]}}
            """);

        var chained = PodResult.Parse(prev.RootElement, "prevResult").Append(Sample);

        Assert.Equal(3, chained.Interfaces.Count);
        Assert.Equal(IpCidr.Parse("192.168.1.7/24"), chained.Ips[0].Address);
        Assert.Equal([0, 2, 2], chained.Ips.Select(i => i.Interface));
        using var written = Written(chained, "1.1.0");
        Assert.Equal("10.96.0.10", written.RootElement.GetProperty("dns").GetProperty("nameservers")[0].GetString());
    }
}
