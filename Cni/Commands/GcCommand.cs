using Routing.Cni.Protocol;

namespace Routing.Cni.Commands;

/// <summary>
/// GC (CNI 1.1): releases this network's handles for attachments the runtime no longer lists in
/// <c>cni.dev/valid-attachments</c>. Kernel state needs no collection: a pod's veth dies with its namespace.
/// </summary>
internal static class GcCommand
{
    public static async Task RunAsync(CommandContext context)
    {
        var valid = context.Config.ValidAttachments
            ?? throw new CniException(CniErrorCode.InvalidNetworkConfig,
                "network configuration field cni.dev/valid-attachments is missing", "GC needs the attachments the runtime still uses (an empty list releases all of this network's)");

        IReadOnlyList<string> handles = [.. (await context.Agent.ListHandlesAsync(context.Config.HandlePrefix, CancellationToken.None).ConfigureAwait(false)).HandleIds];

        foreach (var handle in handles.Where(h => h.StartsWith(context.Config.HandlePrefix, StringComparison.Ordinal) && !valid.Contains(h)))
        {
            await context.Agent.ReleaseAsync(handle, CancellationToken.None).ConfigureAwait(false);
        }
    }
}
