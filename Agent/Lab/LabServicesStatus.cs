using System.Globalization;

namespace Routing.Agent.Lab;

/// <summary>The services part of <c>routing lab status</c>: each lab service, and what a TCP connection to its cluster IP from the first node's first pod gets.</summary>
internal static class LabServicesStatus
{
    /// <summary>
    /// The first line a TCP connection from <paramref name="ns"/> to HOST:PORT reads (HOST may be a
    /// name: the namespace's resolv.conf is used), or why there was none.
    /// </summary>
    public static async Task<string> ConnectAsync(string ns, string host, int port, CancellationToken cancellationToken)
    {
        var script = $"exec 3<>/dev/tcp/{host}/{port.ToString(CultureInfo.InvariantCulture)} && head -n 1 <&3";
        var result = await LabShell.RunAsync("timeout", ["3", "bash", "-c", script], ns, cancellationToken: cancellationToken).ConfigureAwait(false);
        return result.Succeeded && result.StandardOutput.Trim().Length > 0 ? result.StandardOutput.Trim() : $"not reached ({result})";
    }

    public static async Task PrintAsync(LabPlan plan, TextWriter output, CancellationToken cancellationToken)
    {
        var client = plan.Nodes[0].Pods.Count > 0 ? plan.Nodes[0].Pods[0] : null;
        await output.WriteLineAsync($"== services (namespace {LabServices.Namespace}; probed from {client?.Name ?? "no pod"})").ConfigureAwait(false);
        foreach (var service in LabServices.All)
        {
            var endpoints = LabServices.NodesOf(plan, service).Sum(n => n.Pods.Count);
            var answer = client is null ? "-" : await ConnectAsync(client.Namespace, service.ClusterIP, service.Port, cancellationToken).ConfigureAwait(false);
            await output.WriteLineAsync($"{service}; {endpoints} endpoint(s): {answer}").ConfigureAwait(false);
        }

        await output.WriteLineAsync().ConfigureAwait(false);
    }
}
