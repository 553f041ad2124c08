using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using System.Threading.Channels;

namespace Routing.Agent.Tests.Datastore.Kubernetes.Fake;

/// <summary>
/// The API server's storage, in memory, as etcd behind the API server behaves: one global
/// resourceVersion counter bumped by every write, a history of changes kept for a window
/// (<see cref="HistoryLimit"/> changes; older resourceVersions are "compacted" and answer 410), lists
/// served at a consistent resourceVersion (paged lists too), and watches fed from the history and
/// then live, in order. Every method takes one lock, so a change and its delivery to watchers are atomic.
/// </summary>
public sealed class FakeObjectStore
{
    private readonly Lock gate = new();
    private readonly Dictionary<FakeResourceType, SortedDictionary<string, JsonObject>> objects = [];
    private readonly List<Change> history = [];
    private readonly List<FakeWatcher> watchers = [];
    private long revision = 100;
    private long compactedRevision;

    /// <summary>How many changes are kept for watches and paged lists to resume from; older ones are compacted away.</summary>
    public int HistoryLimit { get; set; } = 10_000;

    public long Revision
    {
        get
        {
            lock (gate)
            {
                return revision;
            }
        }
    }

    public int WatcherCount
    {
        get
        {
            lock (gate)
            {
                return watchers.Count;
            }
        }
    }

    /// <summary>Forgets every change so far: a watch or continue token from before now gets 410 Gone.</summary>
    public void Compact()
    {
        lock (gate)
        {
            history.Clear();
            compactedRevision = revision;
        }
    }

    public (int Code, JsonObject Body) Get(FakeResourceType type, string ns, string name)
    {
        lock (gate)
        {
            return Objects(type).TryGetValue(Key(ns, name), out var current) ? (200, Copy(current)) : (404, FakeStatus.NotFound(type, name));
        }
    }

    public (int Code, JsonObject Body) Create(FakeResourceType type, string ns, JsonObject body)
    {
        var metadata = body["metadata"] as JsonObject;
        var name = (string?)metadata?["name"];
        if (metadata is null || string.IsNullOrEmpty(name))
        {
            return (422, FakeStatus.Invalid(type, "", "metadata.name", "Required value: name or generateName is required"));
        }

        if (CheckType(type, body) is { } wrongType)
        {
            return (400, wrongType);
        }

        if (CheckNamespace(type, ns, metadata) is { } wrongNamespace)
        {
            return (400, wrongNamespace);
        }

        if (metadata["resourceVersion"] is not null)
        {
            return (500, FakeStatus.Failure(500, "InternalError", "Internal error occurred: resourceVersion should not be set on objects to be created"));
        }

        lock (gate)
        {
            var table = Objects(type);
            var key = Key(ns, name);
            if (table.ContainsKey(key))
            {
                return (409, FakeStatus.AlreadyExists(type, name));
            }

            var stored = Copy(body);
            var storedMetadata = (JsonObject)stored["metadata"]!;
            storedMetadata["uid"] = Guid.NewGuid().ToString();
            storedMetadata["creationTimestamp"] = DateTime.UtcNow.ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture);
            Commit(type, ns, name, "ADDED", stored, previous: null);
            return (201, Copy(stored));
        }
    }

    public (int Code, JsonObject Body) Update(FakeResourceType type, string ns, string name, JsonObject body)
    {
        var metadata = body["metadata"] as JsonObject;
        if ((string?)metadata?["name"] != name)
        {
            return (400, FakeStatus.BadRequest($"the name of the object ({(string?)metadata?["name"]}) does not match the name on the URL ({name})"));
        }

        if (CheckType(type, body) is { } wrongType)
        {
            return (400, wrongType);
        }

        if (CheckNamespace(type, ns, metadata!) is { } wrongNamespace)
        {
            return (400, wrongNamespace);
        }

        lock (gate)
        {
            if (!Objects(type).TryGetValue(Key(ns, name), out var current))
            {
                return (404, FakeStatus.NotFound(type, name));
            }

            var expected = (string?)metadata!["resourceVersion"];
            if (string.IsNullOrEmpty(expected))
            {
                return (422, FakeStatus.Invalid(type, name, "metadata.resourceVersion", "Invalid value: 0x0: must be specified for an update"));
            }

            if (expected != (string?)current["metadata"]!["resourceVersion"])
            {
                return (409, FakeStatus.Conflict(type, name, "the object has been modified; please apply your changes to the latest version and try again"));
            }

            var stored = Copy(body);
            var storedMetadata = (JsonObject)stored["metadata"]!;
            storedMetadata["uid"] = current["metadata"]!["uid"]?.DeepClone();
            storedMetadata["creationTimestamp"] = current["metadata"]!["creationTimestamp"]?.DeepClone();

            // An update that changes nothing writes nothing: no new resourceVersion, no event.
            if (JsonNode.DeepEquals(stored, current))
            {
                return (200, Copy(current));
            }

            Commit(type, ns, name, "MODIFIED", stored, current);
            return (200, Copy(stored));
        }
    }

    public (int Code, JsonObject Body) Delete(FakeResourceType type, string ns, string name, string? precondition)
    {
        lock (gate)
        {
            if (!Objects(type).TryGetValue(Key(ns, name), out var current))
            {
                return (404, FakeStatus.NotFound(type, name));
            }

            var actual = (string?)current["metadata"]!["resourceVersion"];
            if (precondition is not null && precondition != actual)
            {
                return (409, FakeStatus.Conflict(
                    type, name, $"Precondition failed: ResourceVersion in precondition: {precondition}, ResourceVersion in object meta: {actual}"));
            }

            // The DELETED event carries the object's last state at the deletion's resourceVersion.
            var last = Copy(current);
            Commit(type, ns, name, "DELETED", last, current);
            return (200, Copy(last));
        }
    }

    /// <summary>A page of the collection at one resourceVersion, and the token for the next page.</summary>
    public (int Code, JsonObject Body) List(FakeResourceType type, string ns, int? limit, string? continueToken)
    {
        lock (gate)
        {
            var at = revision;
            var after = "";
            if (continueToken is not null)
            {
                if (!TryReadContinue(continueToken, out at, out after))
                {
                    return (400, FakeStatus.BadRequest("continue key is not valid"));
                }

                if (at < compactedRevision)
                {
                    return (410, FakeStatus.Failure(410, "Expired",
                        "The provided continue parameter is too old to display a consistent list result. You can start a new list without the continue parameter."));
                }
            }

            var snapshot = Snapshot(type, at)
                .Where(entry => ns.Length == 0 || entry.Key.StartsWith(ns + "/", StringComparison.Ordinal))
                .Where(entry => string.CompareOrdinal(entry.Key, after) > 0)
                .ToList();
            var page = limit is > 0 ? snapshot.Take(limit.Value).ToList() : snapshot;
            var metadata = new JsonObject { ["resourceVersion"] = at.ToString(CultureInfo.InvariantCulture) };
            if (page.Count < snapshot.Count)
            {
                metadata["continue"] = WriteContinue(at, page[^1].Key);
                metadata["remainingItemCount"] = snapshot.Count - page.Count;
            }

            var items = new JsonArray();
            foreach (var (_, item) in page)
            {
                var copy = Copy(item);
                if (type.BuiltIn)
                {
                    // Built-in kinds' list items come without apiVersion and kind.
                    copy.Remove("apiVersion");
                    copy.Remove("kind");
                }

                items.Add(copy);
            }

            return (200, new JsonObject
            {
                ["kind"] = type.Kind + "List",
                ["apiVersion"] = type.ApiVersion,
                ["metadata"] = metadata,
                ["items"] = items,
            });
        }
    }

    /// <summary>
    /// Starts a watch after <paramref name="fromRevision"/> (everything now, as ADDED, when null):
    /// the changes since then are queued at once and live ones follow. Null with the ERROR status
    /// when that resourceVersion is compacted.
    /// </summary>
    public FakeWatcher? Watch(FakeResourceType type, string ns, long? fromRevision, bool bookmarks, out JsonObject? error)
    {
        lock (gate)
        {
            error = null;
            if (fromRevision is { } from && from < compactedRevision)
            {
                error = FakeStatus.TooOld(from, compactedRevision);
                return null;
            }

            var watcher = new FakeWatcher(type, ns, bookmarks);
            if (fromRevision is { } since)
            {
                foreach (var change in history.Where(c => c.Revision > since && watcher.Matches(c.Type, c.Namespace)))
                {
                    watcher.Queue.Writer.TryWrite(new FakeWatchItem(change.EventType, Copy(change.Object)));
                }
            }
            else
            {
                foreach (var (_, item) in Snapshot(type, revision).Where(e => watcher.Matches(type, (string?)e.Value["metadata"]!["namespace"] ?? "")))
                {
                    watcher.Queue.Writer.TryWrite(new FakeWatchItem("ADDED", Copy(item)));
                }
            }

            watchers.Add(watcher);
            return watcher;
        }
    }

    public void StopWatching(FakeWatcher watcher)
    {
        lock (gate)
        {
            watchers.Remove(watcher);
        }
    }

    /// <summary>Sends a BOOKMARK at the current resourceVersion to every watch that asked for them.</summary>
    public void Bookmark()
    {
        lock (gate)
        {
            foreach (var watcher in watchers.Where(w => w.Bookmarks))
            {
                Bookmark(watcher);
            }
        }
    }

    public void Bookmark(FakeWatcher watcher)
    {
        lock (gate)
        {
            var type = watcher.Type;
            watcher.Queue.Writer.TryWrite(new FakeWatchItem("BOOKMARK", new JsonObject
            {
                ["kind"] = type.Kind,
                ["apiVersion"] = type.ApiVersion,
                ["metadata"] = new JsonObject { ["resourceVersion"] = revision.ToString(CultureInfo.InvariantCulture) },
            }));
        }
    }

    public IReadOnlyList<FakeWatcher> Watchers()
    {
        lock (gate)
        {
            return [.. watchers];
        }
    }

    private void Commit(FakeResourceType type, string ns, string name, string eventType, JsonObject stored, JsonObject? previous)
    {
        revision++;
        stored["metadata"]!["resourceVersion"] = revision.ToString(CultureInfo.InvariantCulture);
        var table = Objects(type);
        if (eventType == "DELETED")
        {
            table.Remove(Key(ns, name));
        }
        else
        {
            table[Key(ns, name)] = stored;
        }

        history.Add(new Change(revision, type, ns, eventType, Copy(stored), previous is null ? null : Copy(previous)));
        while (history.Count > HistoryLimit)
        {
            compactedRevision = history[0].Revision;
            history.RemoveAt(0);
        }

        foreach (var watcher in watchers.Where(w => w.Matches(type, ns)))
        {
            watcher.Queue.Writer.TryWrite(new FakeWatchItem(eventType, Copy(stored)));
        }
    }

    /// <summary>The objects of a type as they were at <paramref name="at"/>: the current ones with later changes undone.</summary>
    private SortedDictionary<string, JsonObject> Snapshot(FakeResourceType type, long at)
    {
        var snapshot = new SortedDictionary<string, JsonObject>(Objects(type), StringComparer.Ordinal);
        for (var i = history.Count - 1; i >= 0 && history[i].Revision > at; i--)
        {
            var change = history[i];
            if (change.Type != type)
            {
                continue;
            }

            var key = Key(change.Namespace, (string)change.Object["metadata"]!["name"]!);
            if (change.Previous is null)
            {
                snapshot.Remove(key);
            }
            else
            {
                snapshot[key] = change.Previous;
            }
        }

        return snapshot;
    }

    private SortedDictionary<string, JsonObject> Objects(FakeResourceType type)
    {
        if (!objects.TryGetValue(type, out var table))
        {
            table = new SortedDictionary<string, JsonObject>(StringComparer.Ordinal);
            objects[type] = table;
        }

        return table;
    }

    private static JsonObject? CheckType(FakeResourceType type, JsonObject body) =>
        (string?)body["kind"] != type.Kind || (string?)body["apiVersion"] != type.ApiVersion
            ? FakeStatus.BadRequest($"the API version in the data ({(string?)body["apiVersion"]}) and kind ({(string?)body["kind"]}) do not match {type.ApiVersion} {type.Kind}")
            : null;

    private static JsonObject? CheckNamespace(FakeResourceType type, string ns, JsonObject metadata)
    {
        if (!type.Namespaced)
        {
            metadata.Remove("namespace");
            return null;
        }

        var given = (string?)metadata["namespace"];
        if (given is null)
        {
            metadata["namespace"] = ns;
            return null;
        }

        return given == ns ? null : FakeStatus.BadRequest("the namespace of the provided object does not match the namespace sent on the request");
    }

    private static string Key(string ns, string name) => $"{ns}/{name}";

    private static JsonObject Copy(JsonObject node) => (JsonObject)node.DeepClone();

    private static string WriteContinue(long at, string after) =>
        Convert.ToBase64String(Encoding.UTF8.GetBytes($"{at.ToString(CultureInfo.InvariantCulture)}|{after}"));

    private static bool TryReadContinue(string token, out long at, out string after)
    {
        at = 0;
        after = "";
        try
        {
            var text = Encoding.UTF8.GetString(Convert.FromBase64String(token));
            var bar = text.IndexOf('|', StringComparison.Ordinal);
            if (bar < 0 || !long.TryParse(text.AsSpan(0, bar), NumberStyles.None, CultureInfo.InvariantCulture, out at))
            {
                return false;
            }

            after = text[(bar + 1)..];
            return true;
        }
        catch (FormatException)
        {
            return false;
        }
    }

    private sealed record Change(long Revision, FakeResourceType Type, string Namespace, string EventType, JsonObject Object, JsonObject? Previous);
}

/// <summary>One event on its way to a watch response.</summary>
public sealed record FakeWatchItem(string Type, JsonObject Body);

/// <summary>One open watch: what it watches and the events queued for it, in order.</summary>
public sealed class FakeWatcher(FakeResourceType type, string ns, bool bookmarks)
{
    public FakeResourceType Type => type;

    public bool Bookmarks => bookmarks;

    public Channel<FakeWatchItem> Queue { get; } = Channel.CreateUnbounded<FakeWatchItem>(new UnboundedChannelOptions { SingleReader = true });

    /// <summary>Ends the response abruptly (a dropped connection); set by the server.</summary>
    public Action? Abort { get; set; }

    /// <summary>Ends the response cleanly, as the server-side timeout does; set by the server.</summary>
    public Action? End { get; set; }

    public bool Matches(FakeResourceType changed, string changedNamespace) =>
        changed == type && (ns.Length == 0 || ns == changedNamespace);
}
