namespace Routing.Agent.Lab;

internal sealed partial class LabRunner
{
    /// <summary>A server in every pod, then the lab's Services and EndpointSlices applied to the etcd.</summary>
    private async Task AddServicesAsync(CancellationToken cancellationToken)
    {
        foreach (var pod in plan.Nodes.SelectMany(n => n.Pods))
        {
            await StartDaemonAsync($"{pod.Name}-server", pod.Namespace, LabServices.PodServer(pod), cancellationToken).ConfigureAwait(false);
        }

        var resources = Path.Combine(dir, "services.yaml");
        await File.WriteAllTextAsync(resources, LabServices.Resources(plan, state.PodAddresses), cancellationToken).ConfigureAwait(false);
        var applied = await LabShell.RunAsync(Self[0], [.. Self.Skip(1), "apply", "-f", resources, "--datastore", LabPlan.Datastore], plan.EtcdNamespace, cancellationToken: cancellationToken).ConfigureAwait(false);
        if (!applied.Succeeded)
        {
            throw new LabException($"could not apply the lab's services to etcd: {applied}");
        }
    }
}
