using Routing.Dataplane.Iptables;
using Routing.Dataplane.Tests.Commands;

namespace Routing.Dataplane.Tests.Iptables;

public class IptablesBackendDetectorTests
{
    [Fact]
    public void Kubelets_hint_chain_decides_even_against_more_rules_elsewhere() =>
        Assert.Equal(IptablesBackend.Legacy, IptablesBackendDetector.Choose(new(false, 500), new(true, 3), IptablesBackend.Nft));

    [Fact]
    public void Otherwise_the_backend_with_more_rules_wins()
    {
        Assert.Equal(IptablesBackend.Legacy, IptablesBackendDetector.Choose(new(false, 2), new(false, 40), IptablesBackend.Nft));
        Assert.Equal(IptablesBackend.Nft, IptablesBackendDetector.Choose(new(false, 40), new(false, 2), IptablesBackend.Legacy));
    }

    [Fact]
    public void A_tie_goes_to_the_systems_iptables()
    {
        Assert.Equal(IptablesBackend.Legacy, IptablesBackendDetector.Choose(new(false, 0), new(false, 0), IptablesBackend.Legacy));
        Assert.Equal(IptablesBackend.Nft, IptablesBackendDetector.Choose(new(false, 0), new(false, 0), null));
    }

    [Theory]
    [InlineData("iptables v1.8.9 (nf_tables)", IptablesBackend.Nft)]
    [InlineData("iptables v1.8.9 (legacy)", IptablesBackend.Legacy)]
    [InlineData("iptables v1.6.1", null)]
    public void The_systems_iptables_says_its_mode(string version, IptablesBackend? expected) =>
        Assert.Equal(expected, IptablesBackendDetector.SystemDefault(version));

    [Fact]
    public async Task Detection_reads_both_backends_for_both_families()
    {
        const string LegacyRules = "*filter\n:INPUT ACCEPT [0:0]\n-A INPUT -j ACCEPT\n-A INPUT -j DROP\nCOMMIT\n";
        const string Hinted = "*mangle\n:KUBE-IPTABLES-HINT - [0:0]\nCOMMIT\n";
        var runner = new FakeCommandRunner()
            .On("iptables-nft-save", "")
            .On("ip6tables-nft-save", "")
            .On("iptables-legacy-save", LegacyRules)
            .On("ip6tables-legacy-save", "")
            .On("iptables", "iptables v1.8.9 (nf_tables)\n");

        Assert.Equal(IptablesBackend.Legacy, await IptablesBackendDetector.DetectAsync(runner));

        runner.On("ip6tables-nft-save", Hinted);
        Assert.Equal(IptablesBackend.Nft, await IptablesBackendDetector.DetectAsync(runner));
    }

    [Fact]
    public async Task Missing_tools_count_as_an_empty_backend()
    {
        var runner = new FakeCommandRunner().On("iptables", "iptables v1.8.9 (legacy)\n");

        Assert.Equal(IptablesBackend.Legacy, await IptablesBackendDetector.DetectAsync(runner));
    }
}
