using System.Text;
using System.Text.Json;
using Routing.Agent.Datastore.Store;
using Routing.Agent.Resources;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace Routing.Agent.Datastore.FileStore;

/// <summary>
/// The resource file an admin edits, as the file store sees it: its documents keyed by kind and
/// name, each as JSON and as the text written. A write replaces one document's text and keeps
/// every other document as written, comments included, and goes to disk by write-and-rename.
/// </summary>
internal sealed class ResourceFileDocuments(string path)
{
    private (long Length, DateTime Written)? stamp;
    private string text = "";
    private List<(ResourceKey? Key, string Text)> documents = [];

    public string Path { get; } = path;

    /// <summary>Why the file as it is now cannot be read; writes are refused until it is fixed.</summary>
    public string? Problem { get; private set; }

    /// <summary>The resources of the file if it changed since the last call, else null.</summary>
    public IReadOnlyList<(ResourceKey Key, string Json)>? ReadIfChanged()
    {
        var info = new FileInfo(Path);
        if (!info.Exists)
        {
            if (stamp is null && documents.Count == 0 && Problem is null)
            {
                return null;
            }

            stamp = null;
            text = "";
            documents = [];
            Problem = null;
            return [];
        }

        var now = (info.Length, info.LastWriteTimeUtc);
        if (stamp == now && DateTime.UtcNow - now.LastWriteTimeUtc > FileDatastore.RacyWindow)
        {
            return null;
        }

        var content = File.ReadAllText(Path, Encoding.UTF8);
        stamp = now;
        if (content == text && Problem is null && documents.Count > 0)
        {
            return null;
        }

        text = content;
        try
        {
            var parsed = Parse(content);
            documents = parsed.Documents;
            Problem = null;
            return parsed.Resources;
        }
        catch (YamlException e)
        {
            Problem = $"{Path}: line {e.Start.Line}: {e.Message}";
            return null;
        }
    }

    /// <summary>Writes one resource (json) or removes it (null); returns the JSON as the file now gives it back.</summary>
    public string? Write(ResourceKey key, string? json)
    {
        if (Problem is not null)
        {
            throw new IOException($"cannot write {key}: {Problem}; fix the file first");
        }

        string? written = null;
        var next = new List<(ResourceKey? Key, string Text)>(documents.Count + 1);
        var replaced = false;
        foreach (var document in documents)
        {
            if (document.Key == key)
            {
                replaced = true;
                if (json is not null)
                {
                    next.Add((key, YamlJson.ToYaml(json)));
                }
            }
            else
            {
                next.Add(document);
            }
        }

        if (!replaced && json is not null)
        {
            next.Add((key, YamlJson.ToYaml(json)));
        }

        var content = Preamble(text) + string.Join("---\n", next.Select(d => d.Text));
        var parsed = Parse(content);
        if (json is not null)
        {
            written = parsed.Resources.First(r => r.Key == key).Json;
        }

        var temporary = Path + ".tmp";
        File.WriteAllText(temporary, content, new UTF8Encoding(false));
        File.Move(temporary, Path, overwrite: true);
        var info = new FileInfo(Path);
        stamp = (info.Length, info.LastWriteTimeUtc);
        text = content;
        documents = parsed.Documents;
        return written;
    }

    // The comments above the first document, which belong to no document's text.
    private static string Preamble(string content)
    {
        var end = 0;
        foreach (var line in content.Split('\n'))
        {
            var trimmed = line.Trim();
            if (trimmed.Length > 0 && !trimmed.StartsWith('#'))
            {
                break;
            }

            end += line.Length + 1;
        }

        return content[..Math.Min(end, content.Length)].TrimEnd() is { Length: > 0 } comments ? comments + "\n" : "";
    }

    private static (List<(ResourceKey? Key, string Text)> Documents, List<(ResourceKey Key, string Json)> Resources) Parse(string content)
    {
        List<(ResourceKey?, string)> texts = [];
        List<(ResourceKey, string)> resources = [];
        foreach (var document in YamlDocuments.Load(content))
        {
            var key = KeyOf(document.Root);
            texts.Add((key, document.Text));
            if (key is { } k)
            {
                resources.Add((k, YamlJson.ToJson(document.Root)));
            }
        }

        return (texts, resources);
    }

    // Documents without a kind and a name are kept as written but are not resources of the store.
    private static ResourceKey? KeyOf(YamlNode root)
    {
        if (root is not YamlMappingNode mapping
            || !mapping.Children.TryGetValue(new YamlScalarNode("kind"), out var kind) || kind is not YamlScalarNode { Value.Length: > 0 } kindText
            || !mapping.Children.TryGetValue(new YamlScalarNode("metadata"), out var metadata) || metadata is not YamlMappingNode meta
            || !meta.Children.TryGetValue(new YamlScalarNode("name"), out var name) || name is not YamlScalarNode { Value.Length: > 0 } nameText)
        {
            return null;
        }

        var ns = meta.Children.TryGetValue(new YamlScalarNode("namespace"), out var n) && n is YamlScalarNode { Value: { } nsText } ? nsText : "";
        return new ResourceKey(kindText.Value!, ns, nameText.Value!);
    }

    /// <summary>The key a JSON document names (kind, metadata.namespace, metadata.name); a clear error when it names none.</summary>
    public static ResourceKey KeyOf(string json)
    {
        using var document = JsonDocument.Parse(json);
        var root = document.RootElement;
        var kind = root.TryGetProperty("kind", out var k) && k.ValueKind == JsonValueKind.String ? k.GetString() : null;
        var meta = root.TryGetProperty("metadata", out var m) && m.ValueKind == JsonValueKind.Object ? m : default;
        var name = meta.ValueKind == JsonValueKind.Object && meta.TryGetProperty("name", out var nm) && nm.ValueKind == JsonValueKind.String ? nm.GetString() : null;
        var ns = meta.ValueKind == JsonValueKind.Object && meta.TryGetProperty("namespace", out var s) && s.ValueKind == JsonValueKind.String ? s.GetString() : "";
        return string.IsNullOrEmpty(kind) ? throw new JsonException("the document has no kind")
            : string.IsNullOrEmpty(name) ? throw new JsonException("the document has no metadata.name")
            : new ResourceKey(kind, ns ?? "", name);
    }
}
