using System.Net.Sockets;
using Routing.Dataplane.Commands;

namespace Routing.Dataplane.Iptables;

/// <summary>
/// Picks the iptables backend the rest of the system uses, the way kube-proxy's
/// iptables-wrapper and felix do: kubelet's hint chains first, then whichever backend holds more
/// rules, then the mode of the system's own <c>iptables</c> binary.
/// </summary>
public static class IptablesBackendDetector
{
    // kubelet (1.24+) creates KUBE-IPTABLES-HINT in mangle, older ones KUBE-KUBELET-CANARY,
    // in the backend it uses: the strongest sign of where the node's rules live.
    private static readonly string[] HintChains = [":KUBE-IPTABLES-HINT ", ":KUBE-KUBELET-CANARY "];

    /// <summary>Reads both backends (IPv4 and IPv6) through <paramref name="runner"/> and chooses.</summary>
    public static async Task<IptablesBackend> DetectAsync(ICommandRunner runner, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(runner);
        var nft = await EvidenceAsync(runner, IptablesBackend.Nft, cancellationToken).ConfigureAwait(false);
        var legacy = await EvidenceAsync(runner, IptablesBackend.Legacy, cancellationToken).ConfigureAwait(false);
        IptablesBackend? system = null;
        try
        {
            var version = await runner.RunAsync("iptables", ["-V"], null, cancellationToken).ConfigureAwait(false);
            system = SystemDefault(version.StandardOutput);
        }
        catch (CommandStartException)
        {
        }

        return Choose(nft, legacy, system);
    }

    /// <summary>The decision itself, from what was found in each backend.</summary>
    public static IptablesBackend Choose(BackendEvidence nft, BackendEvidence legacy, IptablesBackend? systemDefault)
    {
        if (nft.HasKubeletHint)
        {
            return IptablesBackend.Nft;
        }

        if (legacy.HasKubeletHint)
        {
            return IptablesBackend.Legacy;
        }

        if (nft.RuleCount != legacy.RuleCount)
        {
            return legacy.RuleCount > nft.RuleCount ? IptablesBackend.Legacy : IptablesBackend.Nft;
        }

        return systemDefault ?? IptablesBackend.Nft;
    }

    /// <summary>The backend of <c>iptables -V</c>'s output: "iptables v1.8.9 (nf_tables)" or "(legacy)".</summary>
    public static IptablesBackend? SystemDefault(string versionOutput)
    {
        ArgumentNullException.ThrowIfNull(versionOutput);
        return versionOutput.Contains("nf_tables", StringComparison.Ordinal) ? IptablesBackend.Nft
            : versionOutput.Contains("legacy", StringComparison.Ordinal) ? IptablesBackend.Legacy
            : null;
    }

    /// <summary>Counts rules and looks for the hint chains in one iptables-save output.</summary>
    public static BackendEvidence Examine(string saveOutput)
    {
        ArgumentNullException.ThrowIfNull(saveOutput);
        var rules = 0;
        var hint = false;
        foreach (var line in saveOutput.AsSpan().EnumerateLines())
        {
            if (line.StartsWith("-A ", StringComparison.Ordinal) || line.StartsWith("[", StringComparison.Ordinal))
            {
                rules++;
            }
            else if (line.StartsWith(":", StringComparison.Ordinal))
            {
                foreach (var chain in HintChains)
                {
                    hint |= line.StartsWith(chain, StringComparison.Ordinal);
                }
            }
        }

        return new BackendEvidence(hint, rules);
    }

    private static async Task<BackendEvidence> EvidenceAsync(ICommandRunner runner, IptablesBackend backend, CancellationToken cancellationToken)
    {
        var total = new BackendEvidence(false, 0);
        foreach (var family in (AddressFamily[])[AddressFamily.InterNetwork, AddressFamily.InterNetworkV6])
        {
            try
            {
                var output = await runner.RunAsync(IptablesCommands.Save(backend, family), [], null, cancellationToken).ConfigureAwait(false);
                if (output.Succeeded)
                {
                    var found = Examine(output.StandardOutput);
                    total = new BackendEvidence(total.HasKubeletHint || found.HasKubeletHint, total.RuleCount + found.RuleCount);
                }
            }
            catch (CommandStartException)
            {
                // That backend's tools are not installed: it cannot be the one in use.
            }
        }

        return total;
    }
}

/// <summary>What one backend holds: kubelet's hint chain, and how many rules in all.</summary>
public readonly record struct BackendEvidence(bool HasKubeletHint, int RuleCount);
