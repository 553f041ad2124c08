using System.CommandLine;
using System.Globalization;
using Routing.Agent.Api.V1;
using Routing.Bgp.Fsm;

namespace Routing.Agent.Cli;

/// <summary><c>routing bgp peers|routes|fsm</c>.</summary>
internal static class BgpCommand
{
    public static Command Create()
    {
        var bgp = new Command("bgp", "Inspect the BGP speaker");
        bgp.Subcommands.Add(Peers());
        bgp.Subcommands.Add(Routes());
        bgp.Subcommands.Add(Fsm());
        return bgp;
    }

    private static Command Peers()
    {
        var socket = CliOptions.Socket();
        var output = CliOptions.Output();
        var command = new Command("peers", "BGP sessions: state, uptime, prefixes received/accepted/advertised, last error") { socket, output };
        command.SetAction(async (parse, cancellationToken) =>
        {
            using var client = new AgentClient(parse.GetValue(socket)!);
            var status = await client.GetBgpStatusAsync(cancellationToken).ConfigureAwait(false);
            if (parse.GetValue(output) == "json")
            {
                await parse.InvocationConfiguration.Output.WriteLineAsync(JsonOutput.Format(status)).ConfigureAwait(false);
                return 0;
            }

            var table = new TextTable("Peer", "AS", "Type", "State", "Up/down", "Received", "Accepted", "Advertised", "Last error");
            foreach (var peer in status.Peers)
            {
                table.Add(
                    peer.Address,
                    peer.PeerAs.ToString(CultureInfo.InvariantCulture),
                    peer.Type,
                    peer.State,
                    Duration(DateTimeOffset.UtcNow - DateTimeOffset.FromUnixTimeMilliseconds(peer.SinceUnixMs)),
                    peer.PrefixesReceived.ToString(CultureInfo.InvariantCulture),
                    peer.PrefixesAccepted.ToString(CultureInfo.InvariantCulture),
                    peer.PrefixesAdvertised.ToString(CultureInfo.InvariantCulture),
                    peer.LastError);
            }

            await parse.InvocationConfiguration.Output.WriteAsync(table.ToString()).ConfigureAwait(false);
            return 0;
        });
        return command;
    }

    private static Command Routes()
    {
        var socket = CliOptions.Socket();
        var output = CliOptions.Output();
        var peer = new Option<string>("--peer") { Description = "Only routes with a path from this peer address" };
        var prefix = new Option<string>("--prefix") { Description = "Only prefixes inside this prefix, e.g. 10.0.0.0/8" };
        var command = new Command("routes", "The Loc-RIB: best path per prefix, why it won, and the other paths") { socket, output, peer, prefix };
        command.SetAction(async (parse, cancellationToken) =>
        {
            using var client = new AgentClient(parse.GetValue(socket)!);
            var routes = await client.ListBgpRoutesAsync(
                new ListBgpRoutesRequest { Peer = parse.GetValue(peer) ?? string.Empty, Prefix = parse.GetValue(prefix) ?? string.Empty },
                cancellationToken).ConfigureAwait(false);
            if (parse.GetValue(output) == "json")
            {
                await parse.InvocationConfiguration.Output.WriteLineAsync(JsonOutput.Format(routes)).ConfigureAwait(false);
                return 0;
            }

            var table = new TextTable("", "Prefix", "Next hop", "From", "AS path", "Local pref", "MED", "Best because");
            foreach (var route in routes.Routes)
            {
                table.Add(">", route.Prefix, route.Best.NextHop, route.Best.Source, route.Best.AsPath, Optional(route.Best.HasLocalPref, route.Best.LocalPref), Optional(route.Best.HasMed, route.Best.Med), route.Reason);
                foreach (var alternative in route.Alternatives)
                {
                    table.Add(" ", string.Empty, alternative.NextHop, alternative.Source, alternative.AsPath, Optional(alternative.HasLocalPref, alternative.LocalPref), Optional(alternative.HasMed, alternative.Med), string.Empty);
                }
            }

            await parse.InvocationConfiguration.Output.WriteAsync(table.ToString()).ConfigureAwait(false);
            await parse.InvocationConfiguration.Output.WriteLineAsync($"{routes.Routes.Count} prefixes").ConfigureAwait(false);
            return 0;
        });
        return command;
    }

    private static Command Fsm()
    {
        var dot = new Option<bool>("--dot") { Description = "Print the state diagram in Graphviz DOT (pipe to `dot -Tsvg`)" };
        var command = new Command("fsm", "The BGP session state machine (RFC 4271 §8) this speaker follows") { dot };
        command.SetAction(parse =>
        {
            var writer = parse.InvocationConfiguration.Output;
            if (parse.GetValue(dot))
            {
                writer.Write(BgpFsm.ToDot());
                return 0;
            }

            var table = new TextTable("From", "Event", "To");
            foreach (var transition in BgpFsm.Transitions)
            {
                table.Add(transition.From.ToString(), transition.Event.ToString(), transition.To.ToString());
            }

            writer.Write(table.ToString());
            return 0;
        });
        return command;
    }

    private static string Optional(bool present, uint value) => present ? value.ToString(CultureInfo.InvariantCulture) : string.Empty;

    private static string Duration(TimeSpan span) =>
        span.TotalDays >= 1 ? $"{(int)span.TotalDays}d{span.Hours}h" : span.TotalHours >= 1 ? $"{(int)span.TotalHours}h{span.Minutes}m" : $"{(int)span.TotalMinutes}m{span.Seconds}s";
}
