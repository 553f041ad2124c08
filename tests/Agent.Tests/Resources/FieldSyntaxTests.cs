using System.Net;
using Routing.Agent.Resources;

namespace Routing.Agent.Tests.Resources;

/// <summary>The written forms of durations, peer addresses and interface addresses.</summary>
public sealed class FieldSyntaxTests
{
    [Theory]
    [InlineData("30s", 30_000)]
    [InlineData("90s", 90_000)]
    [InlineData("1m30s", 90_000)]
    [InlineData("1h", 3_600_000)]
    [InlineData("1.5h", 5_400_000)]
    [InlineData("250ms", 250)]
    [InlineData(".5s", 500)]
    [InlineData("1m0.5s", 60_500)]
    [InlineData("0", 0)]
    [InlineData("+5s", 5_000)]
    [InlineData("-5s", -5_000)]
    [InlineData("1500us", 1.5)]
    [InlineData("1500µs", 1.5)]
    [InlineData("2000000ns", 2)]
    public void Go_durations_are_read(string text, double milliseconds)
    {
        Assert.Equal(TimeSpan.FromMilliseconds(milliseconds), GoDuration.Parse(text));
    }

    [Theory]
    [InlineData("")]
    [InlineData("30")]
    [InlineData("s")]
    [InlineData(".s")]
    [InlineData("1..5s")]
    [InlineData("5d")]
    [InlineData("5 s")]
    [InlineData("1e3s")]
    public void Other_durations_are_refused(string text)
    {
        Assert.False(GoDuration.TryParse(text, out _, out var error));
        Assert.Contains("is not a duration", error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(0, "0s")]
    [InlineData(30_000, "30s")]
    [InlineData(90_000, "1m30s")]
    [InlineData(3_600_000, "1h0m0s")]
    [InlineData(1_500, "1.5s")]
    [InlineData(250, "250ms")]
    [InlineData(-5_000, "-5s")]
    public void Durations_are_written_as_Go_writes_them(double milliseconds, string expected)
    {
        var value = TimeSpan.FromMilliseconds(milliseconds);

        Assert.Equal(expected, GoDuration.Format(value));
        Assert.Equal(value, GoDuration.Parse(expected));
    }

    [Theory]
    [InlineData("192.0.2.1", "192.0.2.1", null)]
    [InlineData("192.0.2.1:1179", "192.0.2.1", 1179)]
    [InlineData("2001:db8::1", "2001:db8::1", null)]
    [InlineData("[2001:db8::1]:1179", "2001:db8::1", 1179)]
    [InlineData("[2001:db8::1]", "2001:db8::1", null)]
    [InlineData("::ffff:192.0.2.1", "::ffff:192.0.2.1", null)]
    public void Peer_addresses_take_an_optional_port(string text, string address, int? port)
    {
        var endpoint = PeerEndpoint.Parse(text);

        Assert.Equal(new PeerEndpoint(IPAddress.Parse(address), port), endpoint);
        Assert.Equal(port ?? 179, endpoint.PortOrDefault);
    }

    [Theory]
    [InlineData("192.0.2.1:1179")]
    [InlineData("[2001:db8::1]:1179")]
    [InlineData("2001:db8::1")]
    public void Peer_addresses_print_as_they_are_written(string text)
    {
        Assert.Equal(text, PeerEndpoint.Parse(text).ToString());
    }

    [Theory]
    [InlineData("")]
    [InlineData("192.0.2")]
    [InlineData("192.0.2.1:")]
    [InlineData("192.0.2.01")]
    [InlineData("[192.0.2.1]:179")]
    [InlineData("[2001:db8::1]179")]
    [InlineData("2001:db8::1%eth0")]
    [InlineData("host.example:179")]
    public void Other_peer_addresses_are_refused(string text)
    {
        Assert.False(PeerEndpoint.TryParse(text, out _));
    }

    [Theory]
    [InlineData("10.0.0.1/24", "10.0.0.0/24")]
    [InlineData("10.0.0.1/32", "10.0.0.1/32")]
    [InlineData("2001:db8::1/64", "2001:db8::/64")]
    public void Interface_addresses_keep_their_host_bits_and_know_their_network(string text, string network)
    {
        var value = InterfaceAddress.Parse(text);

        Assert.Equal(text, value.ToString());
        Assert.Equal(network, value.Network.ToString());
    }

    [Theory]
    [InlineData("10.0.0.1")]
    [InlineData("10.0.0.1/")]
    [InlineData("10.0.0.1/33")]
    [InlineData("10.0.0.1/024")]
    [InlineData("10.0.0.1/-1")]
    [InlineData("2001:db8::1/129")]
    public void Other_interface_addresses_are_refused(string text)
    {
        Assert.False(InterfaceAddress.TryParse(text, out _));
    }

    [Fact]
    public void Labels_compare_by_content()
    {
        var a = Labels.Create(("zone", "a"), ("rack", "r1"));
        var b = Labels.Create(("rack", "r1"), ("zone", "a"));

        Assert.Equal(a, b);
        Assert.True(a == b);
        Assert.Equal(a.GetHashCode(), b.GetHashCode());
        Assert.NotEqual(a, Labels.Create(("rack", "r1")));
        Assert.NotEqual(a, Labels.Create(("zone", "a"), ("rack", "r2")));
        Assert.Equal("{rack=r1, zone=a}", a.ToString());
    }
}
