using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace Routing.Agent.Datastore.FileStore;

/// <summary>
/// YAML documents to JSON and back, for the file store: resources are JSON documents in every
/// datastore, and YAML in the file an admin edits. Plain scalars are typed as YAML 1.2's core
/// schema types them (null, booleans, numbers); quoted ones stay strings.
/// </summary>
internal static class YamlJson
{
    public static string ToJson(YamlNode node)
    {
        ArgumentNullException.ThrowIfNull(node);
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            Write(writer, node);
        }

        return Encoding.UTF8.GetString(buffer.ToArray());
    }

    private static void Write(Utf8JsonWriter writer, YamlNode node)
    {
        switch (node)
        {
            case YamlMappingNode mapping:
                writer.WriteStartObject();
                foreach (var (key, value) in mapping.Children)
                {
                    writer.WritePropertyName(((YamlScalarNode)key).Value ?? "");
                    Write(writer, value);
                }

                writer.WriteEndObject();
                break;
            case YamlSequenceNode sequence:
                writer.WriteStartArray();
                foreach (var item in sequence.Children)
                {
                    Write(writer, item);
                }

                writer.WriteEndArray();
                break;
            case YamlScalarNode scalar:
                WriteScalar(writer, scalar);
                break;
            default:
                throw new InvalidOperationException($"unsupported YAML node {node.NodeType} at line {node.Start.Line}");
        }
    }

    private static void WriteScalar(Utf8JsonWriter writer, YamlScalarNode scalar)
    {
        var text = scalar.Value ?? "";
        if (scalar.Style != ScalarStyle.Plain)
        {
            writer.WriteStringValue(text);
            return;
        }

        switch (text)
        {
            case "" or "~" or "null" or "Null" or "NULL":
                writer.WriteNullValue();
                return;
            case "true" or "True" or "TRUE":
                writer.WriteBooleanValue(true);
                return;
            case "false" or "False" or "FALSE":
                writer.WriteBooleanValue(false);
                return;
        }

        if (long.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var integer))
        {
            writer.WriteNumberValue(integer);
        }
        else if (decimal.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var number) && text.Any(char.IsDigit))
        {
            writer.WriteNumberValue(number);
        }
        else
        {
            writer.WriteStringValue(text);
        }
    }

    /// <summary>A JSON document as a block-style YAML document (ending with a newline, without markers).</summary>
    public static string ToYaml(string json)
    {
        var node = JsonNode.Parse(json) ?? throw new JsonException("the document is null");
        var document = new YamlDocument(ToYamlNode(node));
        var stream = new YamlStream(document);
        using var text = new StringWriter(CultureInfo.InvariantCulture);
        stream.Save(text, assignAnchors: false);
        var yaml = text.ToString();

        // YamlStream ends a document with "...": the file joins documents with "---" instead.
        var end = yaml.LastIndexOf("...", StringComparison.Ordinal);
        return (end >= 0 ? yaml[..end] : yaml).TrimEnd('\r', '\n') + "\n";
    }

    private static YamlNode ToYamlNode(JsonNode? node) => node switch
    {
        null => new YamlScalarNode("null") { Style = ScalarStyle.Plain },
        JsonObject obj => new YamlMappingNode(obj.Select(p => new KeyValuePair<YamlNode, YamlNode>(new YamlScalarNode(p.Key), ToYamlNode(p.Value)))),
        JsonArray array => new YamlSequenceNode(array.Select(ToYamlNode)),
        JsonValue value => ToYamlScalar(value),
        _ => throw new JsonException($"unexpected JSON node {node.GetType().Name}"),
    };

    private static YamlScalarNode ToYamlScalar(JsonValue value)
    {
        var element = value.GetValue<JsonElement>();
        return element.ValueKind switch
        {
            JsonValueKind.String => StringScalar(element.GetString()!),
            JsonValueKind.True => new YamlScalarNode("true") { Style = ScalarStyle.Plain },
            JsonValueKind.False => new YamlScalarNode("false") { Style = ScalarStyle.Plain },
            JsonValueKind.Null => new YamlScalarNode("null") { Style = ScalarStyle.Plain },
            _ => new YamlScalarNode(element.GetRawText()) { Style = ScalarStyle.Plain },
        };
    }

    // A string that a plain scalar would turn into something else ("true", "65000", "") is quoted.
    private static YamlScalarNode StringScalar(string text)
    {
        var probe = new YamlScalarNode(text) { Style = ScalarStyle.Plain };
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            WriteScalar(writer, probe);
        }

        var plainIsString = buffer.Length > 0 && buffer.GetBuffer()[0] == (byte)'"';
        var safe = plainIsString && text.Length > 0 && text.Trim() == text && !text.Contains(": ", StringComparison.Ordinal) && !text.Contains(" #", StringComparison.Ordinal)
            && "-?:,[]{}#&*!|>'\"%@`".IndexOf(text[0], StringComparison.Ordinal) < 0 && !text.Contains('\n', StringComparison.Ordinal);
        return new YamlScalarNode(text) { Style = safe ? ScalarStyle.Any : ScalarStyle.DoubleQuoted };
    }
}
