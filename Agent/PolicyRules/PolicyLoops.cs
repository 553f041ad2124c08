using Microsoft.Extensions.Logging;
using Routing.Agent.Datastore.Store;
using Routing.Dataplane.Commands;
using Routing.Dataplane.Ipsets;
using Routing.Dataplane.Iptables;
using Routing.Policy.Compilation;

namespace Routing.Agent.PolicyRules;

/// <summary>How <c>routing agent --policy</c> runs its <see cref="PolicyLoop"/>: in the agent's own network namespace, with the iptables backend the node uses.</summary>
public static class PolicyLoops
{
    public static async Task RunAsync(string nodeName, IResourceStore store, ILoggerFactory loggerFactory, CancellationToken cancellationToken, Action<PolicyLoop>? started = null)
    {
        ArgumentNullException.ThrowIfNull(loggerFactory);
        var runner = new ProcessCommandRunner();
        var backend = await IptablesBackendDetector.DetectAsync(runner, cancellationToken).ConfigureAwait(false);
        var compiler = new PolicyCompiler();
        using var members = OpenIpsetNetlink();
        var dataplane = new PolicyDataplane(compiler.Options, runner, backend, members: members);
        var loop = new PolicyLoop(nodeName, store, dataplane, compiler, loggerFactory.CreateLogger<PolicyLoop>());
        started?.Invoke(loop);
        await loop.RunAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>nfnetlink for set members when the kernel lets us open it; else ipset restore does it all.</summary>
    private static IpsetNetlink? OpenIpsetNetlink()
    {
        try
        {
            return IpsetNetlink.Open();
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            return null;
        }
    }
}
