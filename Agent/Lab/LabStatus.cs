using System.Text;

namespace Routing.Agent.Lab;

/// <summary>What <c>routing lab status</c> shows: BGP on every node and router, each node's routes, and the pod reachability matrix probed with real packets.</summary>
internal static class LabStatus
{
    public sealed record Probe(string From, string To, bool Reached);

    /// <summary>Pings every pod from every other, all at once (one packet each, 1 s to answer).</summary>
    public static async Task<IReadOnlyList<Probe>> ProbeAsync(LabPlan plan, LabState state, CancellationToken cancellationToken)
    {
        var pods = plan.Nodes.SelectMany(n => n.Pods).Where(p => state.PodAddresses.ContainsKey(p.Name)).ToArray();
        var probes = pods.SelectMany(from => pods.Where(to => to != from).Select(async to =>
        {
            var ping = await LabShell.RunAsync("ping", ["-c", "1", "-W", "1", state.PodAddresses[to.Name]], from.Namespace, cancellationToken: cancellationToken).ConfigureAwait(false);
            return new Probe(from.Name, to.Name, ping.Succeeded);
        }));
        return await Task.WhenAll(probes).ConfigureAwait(false);
    }

    public static async Task PrintAsync(LabPlan plan, LabState state, TextWriter output, CancellationToken cancellationToken)
    {
        foreach (var node in plan.Nodes)
        {
            await output.WriteLineAsync($"== {node.Name} (rack r{node.Rack}, {node.Address}, AS {node.Asn}): routing status").ConfigureAwait(false);
            var status = await LabShell.RunAsync(LabRunner.Self[0], [.. LabRunner.Self.Skip(1), "status", "--socket", LabRunner.SocketOf(plan.Prefix, node.Name)], cancellationToken: cancellationToken).ConfigureAwait(false);
            await output.WriteLineAsync((status.Succeeded ? status.StandardOutput : status.ToString()).TrimEnd()).ConfigureAwait(false);
            var routes = await LabShell.RunAsync("ip", ["-n", node.Namespace, "route", "show", "proto", "80"], cancellationToken: cancellationToken).ConfigureAwait(false);
            await output.WriteLineAsync($"-- {node.Name}: kernel routes programmed by the agent (proto 80)").ConfigureAwait(false);
            await output.WriteLineAsync(routes.StandardOutput.TrimEnd()).ConfigureAwait(false);
            await output.WriteLineAsync().ConfigureAwait(false);
        }

        foreach (var rack in plan.Racks)
        {
            await output.WriteLineAsync($"== tor{rack.Index} (BIRD, AS {rack.Asn}): birdc show protocols").ConfigureAwait(false);
            var protocols = await LabShell.RunAsync("birdc", ["-s", Path.Combine(LabState.DirectoryFor(plan.Prefix), $"tor{rack.Index}.ctl"), "show", "protocols"], cancellationToken: cancellationToken).ConfigureAwait(false);
            await output.WriteLineAsync((protocols.Succeeded ? protocols.StandardOutput : protocols.ToString()).TrimEnd()).ConfigureAwait(false);
            await output.WriteLineAsync().ConfigureAwait(false);
        }

        await LabServicesStatus.PrintAsync(plan, output, cancellationToken).ConfigureAwait(false);
        var matrix = await ProbeAsync(plan, state, cancellationToken).ConfigureAwait(false);
        await output.WriteLineAsync(Matrix(plan, state, matrix)).ConfigureAwait(false);
    }

    public static string Matrix(LabPlan plan, LabState state, IReadOnlyList<Probe> probes)
    {
        var pods = plan.Nodes.SelectMany(n => n.Pods).Select(p => p.Name).ToArray();
        var width = pods.Max(p => p.Length) + 1;
        var text = new StringBuilder();
        text.AppendLine(System.Globalization.CultureInfo.InvariantCulture, $"== pod reachability (ping; rows: from, columns: to; . reached, X not): {probes.Count(p => p.Reached)}/{probes.Count} reached");
        text.Append(new string(' ', 3 + width + 15));
        foreach (var (_, index) in pods.Select((p, i) => (p, i)))
        {
            text.Append(System.Globalization.CultureInfo.InvariantCulture, $"{index + 1,3}");
        }

        text.AppendLine();
        foreach (var (from, index) in pods.Select((p, i) => (p, i)))
        {
            var address = state.PodAddresses.GetValueOrDefault(from, "-");
            text.Append(System.Globalization.CultureInfo.InvariantCulture, $"{index + 1,2} {from.PadRight(width)}{address,-15}");
            foreach (var to in pods)
            {
                var probe = probes.FirstOrDefault(p => p.From == from && p.To == to);
                text.Append(probe is null ? "  -" : probe.Reached ? "  ." : "  X");
            }

            text.AppendLine();
        }

        return text.ToString();
    }
}
