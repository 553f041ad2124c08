using Routing.Dataplane.Iptables;

namespace Routing.Dataplane.Tests.Iptables;

/// <summary>Backend detection reads the real tools inside a namespace.</summary>
[Trait("Category", "Netns")]
public sealed class IptablesBackendDetectionNetnsTests
{
    [SkippableFact]
    public async Task The_backend_holding_the_rules_is_chosen()
    {
        await using var ipt = await IptablesInNamespace.CreateAsync(IptablesBackend.Legacy);
        await ipt.IptablesAsync("-A", "INPUT", "-j", "ACCEPT");
        await ipt.IptablesAsync("-A", "OUTPUT", "-j", "ACCEPT");

        Assert.Equal(IptablesBackend.Legacy, await IptablesBackendDetector.DetectAsync(ipt.Runner));

        // kubelet's hint chain in the nft backend outweighs the legacy rules.
        await ipt.Ns.OutputOfAsync("iptables-nft", "-t", "mangle", "-N", "KUBE-IPTABLES-HINT");
        Assert.Equal(IptablesBackend.Nft, await IptablesBackendDetector.DetectAsync(ipt.Runner));
    }
}
