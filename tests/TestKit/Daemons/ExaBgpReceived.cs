using System.Text.Json;

namespace Routing.TestKit.Daemons;

/// <summary>A route as ExaBGP received it: prefix, next hop and the common attributes.</summary>
public sealed record ExaBgpRoute(string Prefix, string NextHop, IReadOnlyList<uint> AsPath, uint? LocalPref, uint? Med);

/// <summary>
/// What ExaBGP received from one peer, replayed from its JSON messages: the routes of the current
/// session (a session going down forgets them) and counts of messages over all sessions.
/// </summary>
public sealed class ExaBgpReceived
{
    private readonly Dictionary<string, ExaBgpRoute> routes = [];
    private readonly List<string> notifications = [];
    private readonly List<string> messages = [];

    /// <summary>The routes the peer announced in the current session and has not withdrawn.</summary>
    public IReadOnlyDictionary<string, ExaBgpRoute> Routes => routes;

    /// <summary>UPDATE messages received, End-of-RIB markers included.</summary>
    public int Updates { get; private set; }

    /// <summary>
    /// The UPDATE and ROUTE-REFRESH messages received, in order, over all sessions: <c>update P1 P2 …</c>
    /// with the prefixes announced (withdrawn ones as <c>-P</c>), <c>update eor AFI SAFI</c>, and
    /// <c>refresh AFI SAFI SUBTYPE</c>, the subtype being <c>query</c> (a request), or <c>begin</c>
    /// and <c>end</c>, the markers of an enhanced route refresh (RFC 7313).
    /// </summary>
    public IReadOnlyList<string> Messages => messages;

    /// <summary>The last state ExaBGP reported for the session (connected, up, down).</summary>
    public string? State { get; private set; }

    /// <summary>Why the session last went down, as ExaBGP put it.</summary>
    public string? DownReason { get; private set; }

    /// <summary>The NOTIFICATIONs received, as "code/subcode".</summary>
    public IReadOnlyList<string> Notifications => notifications;

    internal void Add(string? type, JsonElement neighbor)
    {
        switch (type)
        {
            case "state":
                State = neighbor.GetProperty("state").GetString();
                if (State != "up")
                {
                    routes.Clear();
                    DownReason = State == "down" && neighbor.TryGetProperty("reason", out var reason) ? reason.GetString() : DownReason;
                }

                break;
            case "update":
                Updates++;
                var message = neighbor.GetProperty("message");
                if (message.TryGetProperty("update", out var update))
                {
                    messages.Add(string.Join(' ', AddUpdate(update).Prepend("update")));
                }
                else if (message.TryGetProperty("eor", out var eor))
                {
                    messages.Add($"update eor {eor.GetProperty("afi").GetString()} {eor.GetProperty("safi").GetString()}");
                }
                break;
            case "refresh":
                var refresh = neighbor.GetProperty("route-refresh");
                messages.Add($"refresh {refresh.GetProperty("afi").GetString()} {refresh.GetProperty("safi").GetString()} {refresh.GetProperty("subtype").GetString()}");
                break;
            case "notification":
                if (neighbor.TryGetProperty("notification", out var notification))
                {
                    notifications.Add($"{notification.GetProperty("code")}/{notification.GetProperty("subcode")}");
                }

                break;
        }
    }

    /// <summary>Applies an UPDATE to <see cref="Routes"/>; returns its prefixes, withdrawn ones as <c>-P</c>.</summary>
    private List<string> AddUpdate(JsonElement update)
    {
        List<string> prefixes = [];
        if (update.TryGetProperty("withdraw", out var withdraw))
        {
            foreach (var family in withdraw.EnumerateObject())
            {
                foreach (var nlri in family.Value.EnumerateArray())
                {
                    var prefix = nlri.GetProperty("nlri").GetString()!;
                    routes.Remove(prefix);
                    prefixes.Add($"-{prefix}");
                }
            }
        }

        if (!update.TryGetProperty("announce", out var announce))
        {
            return prefixes;
        }

        var attributes = update.GetProperty("attribute");
        var asPath = attributes.TryGetProperty("as-path", out var path) ? path.EnumerateArray().Select(a => a.GetUInt32()).ToArray() : [];
        uint? localPref = attributes.TryGetProperty("local-preference", out var lp) ? lp.GetUInt32() : null;
        uint? med = attributes.TryGetProperty("med", out var m) ? m.GetUInt32() : null;
        foreach (var family in announce.EnumerateObject())
        {
            foreach (var nextHop in family.Value.EnumerateObject())
            {
                foreach (var nlri in nextHop.Value.EnumerateArray())
                {
                    var prefix = nlri.GetProperty("nlri").GetString()!;
                    routes[prefix] = new ExaBgpRoute(prefix, nextHop.Name, asPath, localPref, med);
                    prefixes.Add(prefix);
                }
            }
        }

        return prefixes;
    }
}
