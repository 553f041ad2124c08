using System.Text;
using System.Text.Json;
using Routing.Agent.Datastore.Store;

namespace Routing.Agent.Datastore.FileStore;

/// <summary>
/// The file store's machine-written resources (IPAM blocks, affinities, handles) as an append-only
/// journal beside the resource file (<c>PATH.state</c>): a header line naming the journal's
/// generation, then one JSON line per write. Every process reads what the others appended since it
/// last looked; a write appends one line (one <c>write(2)</c>) under the store's lock, so a reader
/// never applies half a line. When the dead lines outweigh the live ones the journal is rewritten
/// whole, under a new generation, and renamed into place, so that readers notice and reload.
/// </summary>
internal sealed class StateJournal(string path) : IDisposable
{
    private const long CompactAbove = 1 << 20;
    private static readonly byte[] SupersededLine = Encoding.UTF8.GetBytes("{\"superseded\":true}\n");

    // Kept open: every operation reads only what was appended since. A compaction elsewhere
    // appends a "superseded" line to the file it replaced, which tells this reader to reopen.
    private FileStream? reader;
    private FileStream? appender;
    private string? generation;
    private long offset;
    private int appendsSinceCheck;

    public string Path { get; } = path;

    /// <summary>A change read from the journal: a document put, or (Json null) a resource deleted.</summary>
    public readonly record struct Entry(ResourceKey Key, string? Json);

    /// <summary>
    /// What changed since the last read: either a full reload (every live resource, when the journal
    /// was replaced or is read for the first time) or the entries appended since.
    /// </summary>
    public (bool Reload, List<Entry> Entries) ReadChanges()
    {
        List<Entry> entries = [];
        var reload = false;
        for (var reopened = 0; reopened < 3; reopened++)
        {
            if (reader is null)
            {
                if (!TryOpen())
                {
                    var wasThere = generation is not null;
                    generation = null;
                    return (wasThere, entries);
                }

                reload = true;
                entries.Clear();
            }

            if (!ReadAppended(entries))
            {
                return (reload, entries);
            }

            // Superseded by a compaction: read the new journal from the start.
            Close();
        }

        throw new IOException($"{Path}: replaced three times while being read");
    }

    private bool TryOpen()
    {
        FileStream stream;
        try
        {
            stream = new FileStream(Path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete, 1, FileOptions.SequentialScan);
        }
        catch (FileNotFoundException)
        {
            return false;
        }

        var header = ReadHeader(stream);
        if (header is null)
        {
            // Being created by another process right now (it is renamed into place whole, so rarely).
            stream.Dispose();
            return false;
        }

        reader = stream;
        generation = header.Value.Generation;
        offset = header.Value.Length;
        return true;
    }

    /// <summary>Adds the whole lines appended since the last read; true when the journal says it was superseded.</summary>
    private bool ReadAppended(List<Entry> entries)
    {
        var length = reader!.Length;
        if (length <= offset)
        {
            return false;
        }

        var bytes = new byte[length - offset];
        reader.Position = offset;
        reader.ReadExactly(bytes);
        var end = Array.LastIndexOf(bytes, (byte)'\n');
        var consumed = 0;
        while (consumed <= end)
        {
            var newline = Array.IndexOf(bytes, (byte)'\n', consumed);
            var line = bytes.AsSpan(consumed, newline - consumed);
            consumed = newline + 1;
            if (line.SequenceEqual(SupersededLine.AsSpan(0, SupersededLine.Length - 1)))
            {
                return true;
            }

            TryParse(line, entries);
        }

        offset += consumed;
        return false;
    }

    /// <summary>Appends one put (json) or delete (null). Call under the store's cross-process lock, after <see cref="ReadChanges"/>.</summary>
    public void Append(ResourceKey key, string? json) => Write(Line(key, json));

    /// <summary>
    /// Appends several puts and deletes as one line (<c>{"writes":[…]}</c>), so that a reader applies
    /// all of them or, until the line is whole, none. Same conditions as <see cref="Append"/>.
    /// </summary>
    public void AppendAll(IReadOnlyList<(ResourceKey Key, string? Json)> writes)
    {
        if (writes.Count == 1)
        {
            Append(writes[0].Key, writes[0].Json);
            return;
        }

        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            writer.WriteStartArray("writes");
            foreach (var (key, json) in writes)
            {
                WriteEntry(writer, key, json);
            }

            writer.WriteEndArray();
            writer.WriteEndObject();
        }

        buffer.WriteByte((byte)'\n');
        Write(buffer.ToArray());
    }

    private void Write(byte[] line)
    {
        if (reader is null)
        {
            Create([]);
        }

        appender ??= new FileStream(Path, FileMode.Append, FileAccess.Write, FileShare.ReadWrite | FileShare.Delete, 1);

        // .NET's Append mode is not O_APPEND: the end moved if another process appended since.
        appender.Seek(0, SeekOrigin.End);
        appender.Write(line);
        offset += line.Length;
        appendsSinceCheck++;
    }

    /// <summary>Rewrites the journal with only the live resources when it has grown well beyond them.</summary>
    public void CompactIfWorthIt(Func<IEnumerable<StoredResource>> live)
    {
        if (offset < CompactAbove || appendsSinceCheck < 1000)
        {
            return;
        }

        appendsSinceCheck = 0;
        var resources = live().ToArray();
        var liveBytes = resources.Sum(r => (long)r.Json.Length + 100);
        if (offset > 4 * liveBytes)
        {
            Create(resources);
        }
    }

    private void Create(IReadOnlyList<StoredResource> resources)
    {
        // Opened before the rename, while the path still names the file being replaced.
        var old = reader is null ? null : appender ?? new FileStream(Path, FileMode.Append, FileAccess.Write, FileShare.ReadWrite | FileShare.Delete, 1);
        var next = Guid.NewGuid().ToString("N");
        var temporary = Path + ".tmp";
        using (var stream = new FileStream(temporary, FileMode.Create, FileAccess.Write, FileShare.None))
        {
            stream.Write(Encoding.UTF8.GetBytes($"{{\"generation\":\"{next}\"}}\n"));
            foreach (var resource in resources)
            {
                stream.Write(Line(resource.Key, resource.Json));
            }

            stream.Flush(flushToDisk: true);
        }

        File.Move(temporary, Path, overwrite: true);

        // Readers of the old file learn from it that it is gone.
        old?.Seek(0, SeekOrigin.End);
        old?.Write(SupersededLine);
        old?.Dispose();
        Close();
        if (!TryOpen())
        {
            throw new IOException($"{Path}: the journal just written cannot be read");
        }

        offset = reader!.Length;
    }

    private void Close()
    {
        reader?.Dispose();
        reader = null;
        appender?.Dispose();
        appender = null;
    }

    public void Dispose() => Close();
    private static (string Generation, int Length)? ReadHeader(FileStream stream)
    {
        Span<byte> buffer = stackalloc byte[128];
        var read = stream.ReadAtLeast(buffer, buffer.Length, throwOnEndOfStream: false);
        var newline = buffer[..read].IndexOf((byte)'\n');
        if (newline < 0)
        {
            return null;
        }

        var reader = new Utf8JsonReader(buffer[..newline]);
        using var document = JsonDocument.ParseValue(ref reader);
        return (document.RootElement.GetProperty("generation").GetString()!, newline + 1);
    }

    private static byte[] Line(ResourceKey key, string? json)
    {
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            WriteEntry(writer, key, json);
        }

        buffer.WriteByte((byte)'\n');
        return buffer.ToArray();
    }

    private static void WriteEntry(Utf8JsonWriter writer, ResourceKey key, string? json)
    {
        writer.WriteStartObject();
        writer.WriteString("kind", key.Kind);
        writer.WriteString("namespace", key.Namespace);
        writer.WriteString("name", key.Name);
        if (json is not null)
        {
            writer.WritePropertyName("doc");
            writer.WriteRawValue(json, skipInputValidation: true);
        }

        writer.WriteEndObject();
    }

    /// <summary>Adds the line's entries: one, or those of a transaction's <c>writes</c> line.</summary>
    private static void TryParse(ReadOnlySpan<byte> line, List<Entry> entries)
    {
        try
        {
            var reader = new Utf8JsonReader(line);
            using var document = JsonDocument.ParseValue(ref reader);
            var root = document.RootElement;
            if (root.TryGetProperty("writes", out var writes))
            {
                var parsed = new List<Entry>(writes.GetArrayLength());
                foreach (var write in writes.EnumerateArray())
                {
                    parsed.Add(EntryOf(write));
                }

                entries.AddRange(parsed);
            }
            else
            {
                entries.Add(EntryOf(root));
            }
        }
        catch (JsonException)
        {
            // A line no writer of this format produces (a disk error, a hand edit): skipped.
        }
        catch (KeyNotFoundException)
        {
        }
        catch (InvalidOperationException)
        {
        }
    }

    private static Entry EntryOf(JsonElement element)
    {
        var key = new ResourceKey(element.GetProperty("kind").GetString()!, element.GetProperty("namespace").GetString()!, element.GetProperty("name").GetString()!);
        return new Entry(key, element.TryGetProperty("doc", out var doc) ? doc.GetRawText() : null);
    }
}
