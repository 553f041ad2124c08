using System.Globalization;
using System.Text;

namespace Routing.Agent.Lab;

/// <summary>
/// The lab's pods as the cluster knows them: a Namespace <c>lab</c> (routing-cni's K8S_POD_NAMESPACE
/// for every lab pod) and a Pod per pod, labelled <c>app=&lt;pod name&gt;</c>, on its node, with the
/// address routing-cni gave it, so that NetworkPolicies written to the lab's etcd select them.
/// </summary>
internal static class LabPods
{
    public const string Namespace = "lab";

    public static string Resources(LabPlan plan, LabState state)
    {
        var yaml = new StringBuilder();
        yaml.Append(CultureInfo.InvariantCulture, $"apiVersion: v1\nkind: Namespace\nmetadata: {{name: {Namespace}, labels: {{kubernetes.io/metadata.name: {Namespace}}}}}\n");
        foreach (var node in plan.Nodes)
        {
            foreach (var pod in node.Pods.Where(p => state.PodAddresses.ContainsKey(p.Name)))
            {
                yaml.Append(CultureInfo.InvariantCulture, $"""
                    ---
                    apiVersion: v1
                    kind: Pod
                    metadata: {"{"}namespace: {Namespace}, name: {pod.Name}, labels: {"{"}app: {pod.Name}{"}"}{"}"}
                    spec: {"{"}nodeName: {node.Name}{"}"}
                    status: {"{"}podIP: {state.PodAddresses[pod.Name]}, podIPs: [{"{"}ip: {state.PodAddresses[pod.Name]}{"}"}]{"}"}

                    """);
            }
        }

        return yaml.ToString();
    }

    /// <summary>Writes them to the lab's etcd with <c>routing apply</c>.</summary>
    public static async Task ApplyAsync(LabPlan plan, LabState state, string dir, CancellationToken cancellationToken)
    {
        var file = Path.Combine(dir, "pods.yaml");
        await File.WriteAllTextAsync(file, Resources(plan, state), cancellationToken).ConfigureAwait(false);
        var applied = await LabShell.RunAsync(LabRunner.Self[0], [.. LabRunner.Self.Skip(1), "apply", "-f", file, "--datastore", LabPlan.Datastore], plan.EtcdNamespace, cancellationToken: cancellationToken).ConfigureAwait(false);
        if (!applied.Succeeded)
        {
            throw new LabException($"could not write the pods to etcd: {applied}");
        }
    }
}
