namespace Routing.Cni.Commands;

/// <summary>
/// DEL: idempotent. Deleting the pod's end of the veth takes the host end and the host routes with
/// it; the host end is never deleted by name, because a newer sandbox of the same pod has the same
/// one. A namespace or interface already gone is success; so is a handle with nothing left.
/// </summary>
internal static class DelCommand
{
    public static async Task RunAsync(CommandContext context)
    {
        var env = context.Environment;
        if (env.NetNs is { } netns)
        {
            context.Wiring.DeleteLink(netns, env.IfName);
        }

        await context.Agent.ReleaseAsync(context.HandleId, CancellationToken.None).ConfigureAwait(false);
    }
}
