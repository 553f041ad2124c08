using System.CommandLine;
using System.Globalization;
using Routing.Agent.Api.V1;

namespace Routing.Agent.Cli;

/// <summary><c>routing status</c>: the BGP peers table, as <c>calicoctl node status</c> shows it.</summary>
internal static class StatusCommand
{
    public static Command Create()
    {
        var socket = CliOptions.Socket();
        var output = CliOptions.Output();
        var command = new Command("status", "Show whether the agent runs and the state of its BGP sessions") { socket, output };
        command.SetAction(async (parse, cancellationToken) =>
        {
            using var client = new AgentClient(parse.GetValue(socket)!);
            var status = await client.GetBgpStatusAsync(cancellationToken).ConfigureAwait(false);
            var writer = parse.InvocationConfiguration.Output;
            if (parse.GetValue(output) == "json")
            {
                await writer.WriteLineAsync(JsonOutput.Format(status)).ConfigureAwait(false);
                return 0;
            }

            await writer.WriteAsync(Render(status)).ConfigureAwait(false);
            return 0;
        });
        return command;
    }

    public static string Render(GetBgpStatusResponse status)
    {
        var text = new System.Text.StringBuilder();
        text.AppendLine(CultureInfo.InvariantCulture, $"Routing agent is running on node {status.Node} (AS {status.LocalAs}, router ID {status.RouterId}).");
        if (status.Health.Count > 0)
        {
            var ready = status.Health.All(p => p.Ready);
            text.AppendLine(ready ? "Ready." : "Not ready:");
            foreach (var part in status.Health)
            {
                text.AppendLine(CultureInfo.InvariantCulture, $"  {(part.Ready ? "+" : "-")} {part.Name}: {part.Detail}");
            }
        }
        foreach (var (family, title) in new[] { (false, "IPv4"), (true, "IPv6") })
        {
            var peers = status.Peers.Where(p => p.Address.Contains(':', StringComparison.Ordinal) == family).ToArray();
            text.AppendLine();
            text.AppendLine($"{title} BGP status");
            if (peers.Length == 0)
            {
                text.AppendLine($"No {title} peers found.");
                continue;
            }

            var table = new TextTable("Peer address", "Peer type", "State", "Since", "Info");
            foreach (var peer in peers)
            {
                table.Add(peer.Address, peer.Type, peer.State == "Established" ? "up" : "start", Since(peer.SinceUnixMs), Info(peer));
            }

            text.Append(table);
        }

        return text.ToString();
    }

    internal static string Since(long unixMs)
    {
        var at = DateTimeOffset.FromUnixTimeMilliseconds(unixMs).ToLocalTime();
        return DateTimeOffset.Now - at < TimeSpan.FromDays(1)
            ? at.ToString("HH:mm:ss", CultureInfo.InvariantCulture)
            : at.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
    }

    private static string Info(BgpPeer peer) =>
        peer.State == "Established" || peer.LastError.Length == 0 ? peer.State : $"{peer.State} {peer.LastError}";
}
