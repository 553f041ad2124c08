using System.CommandLine;
using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Routing.Agent.PolicyRules;
using Routing.Policy.Evaluation;
using Routing.Policy.Model;

namespace Routing.Agent.Cli;

/// <summary>
/// <c>routing policy explain</c> and <c>routing policy matrix</c>: what the NetworkPolicies of the
/// datastore imply, computed by the same evaluator the conformance tests hold against the kernel.
/// </summary>
internal static class PolicyCommand
{
    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true };

    public static Command Create() => new("policy", "Explain network policy decisions") { Explain(), Matrix() };

    private static Command Explain()
    {
        var from = new Option<string>("--from") { Description = "The client: NS/POD or an IP address", Required = true };
        var to = new Option<string>("--to") { Description = "The server: NS/POD or an IP address, optionally :PORT/PROTO (e.g. x/a:80/TCP); without a port, every named port of the pod", Required = true };
        var output = CliOptions.Output();
        var datastore = DatastoreOption.Create();
        var command = new Command("explain", "Why a connection is allowed or denied: the policy and rule that decided each direction") { from, to, output, datastore };
        command.SetAction(async (parse, cancellationToken) =>
        {
            var model = await LoadAsync(parse.GetValue(datastore), cancellationToken).ConfigureAwait(false);
            var (toText, port) = SplitPort(parse.GetValue(to)!);
            var source = Peer(model, parse.GetValue(from)!, "--from");
            var destination = Peer(model, toText, "--to");
            var ports = port is { } p ? [p]
                : destination.Endpoint?.Ports.Select(c => (c.Port, c.Protocol)).Distinct().ToArray() ?? [];
            if (ports.Length == 0)
            {
                throw new CliException($"--to {toText} declares no container ports: give one, e.g. --to {toText}:80/TCP");
            }

            var evaluator = new PolicyEvaluator(model);
            var verdicts = ports.Select(p => evaluator.Evaluate(new Connection(source, destination, p.Port, p.Protocol))).ToArray();
            var json = parse.GetValue(output) == "json";
            var text = json
                ? (verdicts.Length == 1 ? (JsonNode)Json(verdicts[0], detailed: true) : new JsonArray([.. verdicts.Select(v => Json(v, detailed: true))])).ToJsonString(Indented) + "\n"
                : string.Concat(verdicts.Select(Text));
            await parse.InvocationConfiguration.Output.WriteAsync(text).ConfigureAwait(false);
            return 0;
        });
        return command;
    }

    private static Command Matrix()
    {
        var namespaces = new Option<string?>("--namespaces") { Description = "Only pods of these namespaces, comma-separated (default: all)" };
        var port = new Option<string>("--port") { Description = "PORT/PROTO to probe, e.g. 80/TCP", DefaultValueFactory = _ => "80/TCP" };
        var output = CliOptions.Output();
        var datastore = DatastoreOption.Create();
        var command = new Command("matrix", "The pod-to-pod reachability the NetworkPolicies imply") { namespaces, port, output, datastore };
        command.SetAction(async (parse, cancellationToken) =>
        {
            var model = await LoadAsync(parse.GetValue(datastore), cancellationToken).ConfigureAwait(false);
            var (number, protocol) = ParsePort(parse.GetValue(port)!, "--port");
            var only = parse.GetValue(namespaces)?.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).ToHashSet(StringComparer.Ordinal);
            var pods = model.Endpoints.Where(e => only is null || only.Contains(e.Namespace)).ToArray();
            var evaluator = new PolicyEvaluator(model);
            var verdicts = pods.SelectMany(f => pods.Where(t => t != f).Select(t => (f, t)))
                .Select(pair => evaluator.Evaluate(new Connection(TrafficPeer.Of(pair.f), TrafficPeer.Of(pair.t), number, protocol)))
                .ToArray();
            var text = parse.GetValue(output) == "json"
                ? new JsonArray([.. verdicts.Select(v => Json(v, detailed: false))]).ToJsonString(Indented) + "\n"
                : Table(pods, verdicts, number, protocol);
            await parse.InvocationConfiguration.Output.WriteAsync(text).ConfigureAwait(false);
            return 0;
        });
        return command;
    }

    private static async Task<PolicyModel> LoadAsync(string? datastore, CancellationToken cancellationToken)
    {
        await using var store = DatastoreOption.Open(datastore);
        try
        {
            return await PolicyModelLoader.LoadAsync(store, cancellationToken).ConfigureAwait(false);
        }
        catch (PolicyResourceException e)
        {
            throw new CliException($"invalid policy, nothing evaluated: {e.Message}");
        }
    }

    private static TrafficPeer Peer(PolicyModel model, string text, string option)
    {
        if (IPAddress.TryParse(text, out var address))
        {
            return model.EndpointAt(address) is { } pod ? new TrafficPeer(address, pod) : TrafficPeer.Of(address);
        }

        var parts = text.Split('/');
        if (parts.Length != 2)
        {
            throw new CliException($"{option} {text}: give NAMESPACE/POD or an IP address");
        }

        var endpoint = model.Endpoint(parts[0], parts[1]) ?? throw new CliException($"{option} {text}: no such pod in the datastore");
        return endpoint.Addresses.Count > 0 ? TrafficPeer.Of(endpoint) : new TrafficPeer(IPAddress.None, endpoint);
    }

    private static (string Peer, (int Port, PolicyProtocol Protocol)? Port) SplitPort(string text)
    {
        var colon = text.LastIndexOf(':');
        // An IPv6 address holds colons of its own; a port comes after the last one and has a '/'.
        if (colon < 0 || !text[(colon + 1)..].Contains('/', StringComparison.Ordinal) && !int.TryParse(text[(colon + 1)..], NumberStyles.None, CultureInfo.InvariantCulture, out _))
        {
            return (text, null);
        }

        return (text[..colon], ParsePort(text[(colon + 1)..], "--to"));
    }

    private static (int Port, PolicyProtocol Protocol) ParsePort(string text, string option)
    {
        var slash = text.IndexOf('/', StringComparison.Ordinal);
        var number = slash < 0 ? text : text[..slash];
        var protocol = PolicyProtocol.Tcp;
        if (!int.TryParse(number, NumberStyles.None, CultureInfo.InvariantCulture, out var port) || port is < 1 or > 65535
            || (slash >= 0 && !PolicyProtocols.TryParse(text[(slash + 1)..], out protocol)))
        {
            throw new CliException($"{option}: \"{text}\" is not PORT/PROTO (e.g. 80/TCP, 53/UDP, 9000/SCTP)");
        }

        return (port, protocol);
    }

    private static string Text(Verdict verdict)
    {
        var connection = verdict.Connection;
        var text = new StringBuilder();
        text.Append(CultureInfo.InvariantCulture, $"{connection.From} -> {connection.To}:{connection.Port}/{connection.Protocol.Name()}: {(verdict.Allowed ? "allowed" : "denied")}\n");
        text.Append(CultureInfo.InvariantCulture, $"  egress  at {connection.From}: {Detail(verdict.Egress)}\n");
        text.Append(CultureInfo.InvariantCulture, $"  ingress at {connection.To}: {Detail(verdict.Ingress)}\n");
        return text.ToString();
    }

    private static string Detail(DirectionVerdict verdict) => verdict.Reason[(verdict.Reason.IndexOf(':', StringComparison.Ordinal) + 2)..];

    private static JsonObject Json(Verdict verdict, bool detailed)
    {
        var connection = verdict.Connection;
        var json = new JsonObject
        {
            ["from"] = connection.From.ToString(),
            ["to"] = connection.To.ToString(),
            ["port"] = connection.Port,
            ["protocol"] = connection.Protocol.Name(),
            ["allowed"] = verdict.Allowed,
            ["reason"] = verdict.Reason,
        };
        if (detailed)
        {
            json["egress"] = Json(verdict.Egress);
            json["ingress"] = Json(verdict.Ingress);
        }

        return json;
    }

    private static JsonObject Json(DirectionVerdict verdict) => new()
    {
        ["outcome"] = verdict.Outcome.ToString(),
        ["policy"] = verdict.PolicyKey,
        ["rule"] = verdict.Rule,
        ["isolatedBy"] = verdict.Isolating is { } isolating ? new JsonArray([.. isolating.Select(p => (JsonNode)p.Key)]) : null,
        ["reason"] = verdict.Reason,
    };

    private static string Table(Endpoint[] pods, Verdict[] verdicts, int port, PolicyProtocol protocol)
    {
        var allowed = verdicts.ToDictionary(v => (v.Connection.From.ToString(), v.Connection.To.ToString()), v => v.Allowed);
        var width = pods.Length == 0 ? 4 : Math.Max(4, pods.Max(p => p.Key.Length));
        var text = new StringBuilder();
        text.Append(CultureInfo.InvariantCulture, $"{port}/{protocol.Name()} (rows: from, columns: to; . allowed, X denied)\n");
        text.Append(new string(' ', width)).AppendJoin(string.Empty, pods.Select(p => " " + p.Key.PadLeft(width))).Append('\n');
        foreach (var from in pods)
        {
            text.Append(from.Key.PadRight(width));
            foreach (var to in pods)
            {
                var cell = from == to ? "-" : allowed[(from.Key, to.Key)] ? "." : "X";
                text.Append(' ').Append(cell.PadLeft(width));
            }

            text.Append('\n');
        }

        return text.ToString();
    }
}
