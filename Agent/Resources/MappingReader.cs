using System.Globalization;
using System.Net;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace Routing.Agent.Resources;

/// <summary>
/// Reads the fields of one YAML mapping, reporting every problem with its field path, and
/// remembering which fields it was asked for so that <see cref="RejectUnknown"/> can name the rest.
/// A reader over an absent mapping reads every field as absent.
/// </summary>
internal sealed class MappingReader
{
    private readonly DocumentScope scope;
    private readonly YamlMappingNode? node;
    private readonly YamlNode? location;
    private readonly string path;
    private readonly List<string> known = [];

    public MappingReader(DocumentScope scope, YamlMappingNode? node, string path, YamlNode? location = null)
    {
        this.scope = scope;
        this.node = node;
        this.path = path;
        this.location = node ?? location;
    }

    public DocumentScope Scope => scope;

    public string FieldPath(string key) => path.Length == 0 ? key : $"{path}.{key}";

    /// <summary>Reports a required field that is missing.</summary>
    public void Missing(string key, string hint) => scope.Error(FieldPath(key), location, $"required: {hint}");

    /// <summary>Reports a problem with a field; <paramref name="at"/> defaults to the field's own node.</summary>
    public void Error(string key, YamlNode? at, string problem) => scope.Error(FieldPath(key), at ?? NodeOf(key) ?? location, problem);

    private YamlNode? NodeOf(string key) =>
        node is not null && node.Children.TryGetValue(new YamlScalarNode(key), out var value) ? value : null;

    /// <summary>The field's node; null when absent or written as null (<c>~</c>, <c>null</c>, nothing).</summary>
    public YamlNode? Value(string key)
    {
        known.Add(key);
        if (node is null || !node.Children.TryGetValue(new YamlScalarNode(key), out var value) || IsNull(value))
        {
            return null;
        }

        return value;
    }

    public void Ignore(params string[] keys) => known.AddRange(keys);

    public string? String(string key)
    {
        var value = Value(key);
        return value is null ? null : Scalar(key, value, "a string");
    }

    public bool? Bool(string key)
    {
        var value = Value(key);
        var text = value is null ? null : Scalar(key, value, "true or false");
        if (text is null)
        {
            return null;
        }

        if (bool.TryParse(text, out var result))
        {
            return result;
        }

        Error(key, value, $"{FieldSyntax.Show(text)} is not a boolean (write true or false)");
        return null;
    }

    public uint? AsNumber(string key)
    {
        var value = Value(key);
        var text = value is null ? null : Scalar(key, value, "an AS number");
        if (text is null)
        {
            return null;
        }

        if (FieldSyntax.TryParseAsNumber(text, out var asn))
        {
            return asn;
        }

        Error(key, value, $"{FieldSyntax.Show(text)} is not an AS number ({FieldSyntax.AsNumberRange})");
        return null;
    }

    public int? Port(string key)
    {
        var value = Value(key);
        var text = value is null ? null : Scalar(key, value, "a port number");
        if (text is null)
        {
            return null;
        }

        if (FieldSyntax.TryParsePort(text, out var port))
        {
            return port;
        }

        Error(key, value, $"{FieldSyntax.Show(text)} is not a port (1–65535)");
        return null;
    }

    public TimeSpan? Duration(string key)
    {
        var value = Value(key);
        var text = value is null ? null : Scalar(key, value, "a duration like 30s or 1m30s");
        if (text is null)
        {
            return null;
        }

        if (GoDuration.TryParse(text, out var duration, out var error))
        {
            return duration;
        }

        Error(key, value, error);
        return null;
    }

    public IPAddress? IPv4Address(string key)
    {
        var value = Value(key);
        var text = value is null ? null : Scalar(key, value, "an IPv4 address");
        if (text is null)
        {
            return null;
        }

        if (FieldSyntax.TryParseIPv4(text, out var address))
        {
            return address;
        }

        Error(key, value, $"{FieldSyntax.Show(text)} is not an IPv4 address (e.g. 192.0.2.1)");
        return null;
    }

    /// <summary>An address in CIDR form of one family: <c>10.0.0.1/24</c> or <c>2001:db8::1/64</c>.</summary>
    public InterfaceAddress? InterfaceAddress(string key, bool ipv6)
    {
        var value = Value(key);
        var example = ipv6 ? "2001:db8::1/64" : "10.0.0.1/24";
        var family = ipv6 ? "IPv6" : "IPv4";
        var text = value is null ? null : Scalar(key, value, $"an {family} address in CIDR form like {example}");
        if (text is null)
        {
            return null;
        }

        if (Resources.InterfaceAddress.TryParse(text, out var cidr))
        {
            if (cidr.IsIPv6 == ipv6)
            {
                return cidr;
            }

            Error(key, value, $"{FieldSyntax.Show(text)} is an {(ipv6 ? "IPv4" : "IPv6")} address; {key} takes an {family} address like {example}");
            return null;
        }

        var hint = FieldSyntax.TryParseAddress(text, out _) ? $" (add the subnet's length, e.g. {text}/{(ipv6 ? 64 : 24)})" : $" (e.g. {example})";
        Error(key, value, $"{FieldSyntax.Show(text)} is not an {family} address in CIDR form{hint}");
        return null;
    }

    public MappingReader? Mapping(string key)
    {
        var value = Value(key);
        if (value is null)
        {
            return null;
        }

        if (value is YamlMappingNode mapping)
        {
            return new MappingReader(scope, mapping, FieldPath(key));
        }

        Error(key, value, $"expected a mapping of fields, found {Describe(value)}");
        return null;
    }

    public YamlSequenceNode? Sequence(string key)
    {
        var value = Value(key);
        if (value is null)
        {
            return null;
        }

        if (value is YamlSequenceNode sequence)
        {
            return sequence;
        }

        Error(key, value, $"expected a list, found {Describe(value)}");
        return null;
    }

    /// <summary>Every entry as a string-to-string map, as in <c>metadata.labels</c>.</summary>
    public IEnumerable<(string Key, string Value)> StringEntries()
    {
        if (node is null)
        {
            yield break;
        }

        foreach (var (keyNode, valueNode) in node.Children)
        {
            var key = (keyNode as YamlScalarNode)?.Value;
            if (key is null)
            {
                scope.Error(path, keyNode, "keys must be strings");
                continue;
            }

            known.Add(key);
            var value = IsNull(valueNode) ? null : Scalar(key, valueNode, "a string");
            if (value is null)
            {
                if (valueNode is YamlScalarNode)
                {
                    Error(key, valueNode, "expected a string value; write \"\" for an empty one");
                }

                continue;
            }

            yield return (key, value);
        }
    }

    /// <summary>Reports every field of the mapping that was not read, naming the fields that exist.</summary>
    public void RejectUnknown(string what)
    {
        if (node is null)
        {
            return;
        }

        foreach (var (keyNode, _) in node.Children)
        {
            if (keyNode is not YamlScalarNode { Value: { } key })
            {
                scope.Error(path, keyNode, "keys must be strings");
                continue;
            }

            if (known.Contains(key))
            {
                continue;
            }

            var suggestion = Closest(key, known);
            var fields = string.Join(", ", known.Distinct().Order(StringComparer.Ordinal));
            Error(key, keyNode, suggestion is null
                ? $"unknown field ({what} fields: {fields})"
                : $"unknown field; did you mean {suggestion}? ({what} fields: {fields})");
        }
    }

    public string? Scalar(string key, YamlNode value, string expected)
    {
        if (value is YamlScalarNode scalar)
        {
            return scalar.Value ?? string.Empty;
        }

        Error(key, value, $"expected {expected}, found {Describe(value)}");
        return null;
    }

    public static bool IsNull(YamlNode value) =>
        value is YamlScalarNode { Style: ScalarStyle.Plain or ScalarStyle.Any } scalar &&
        (scalar.Tag.IsEmpty || scalar.Tag.Value == "tag:yaml.org,2002:null") &&
        scalar.Value is null or "" or "~" or "null" or "Null" or "NULL";

    public static string Describe(YamlNode value) => value switch
    {
        YamlMappingNode => "a mapping",
        YamlSequenceNode => "a list",
        YamlScalarNode scalar => $"'{scalar.Value}'",
        _ => "something else",
    };

    /// <summary>The known field a misspelt one most likely meant: same letters in another case, or one or two edits away.</summary>
    private static string? Closest(string key, List<string> candidates)
    {
        var sameLetters = candidates.Find(c => string.Equals(c, key, StringComparison.OrdinalIgnoreCase));
        if (sameLetters is not null)
        {
            return sameLetters;
        }

        var best = candidates
            .Select(c => (Candidate: c, Distance: EditDistance(key.ToLowerInvariant(), c.ToLowerInvariant())))
            .Where(c => c.Distance <= Math.Min(2, key.Length / 3))
            .OrderBy(c => c.Distance)
            .FirstOrDefault();
        return best.Candidate;
    }

    private static int EditDistance(string a, string b)
    {
        var previous = new int[b.Length + 1];
        var current = new int[b.Length + 1];
        for (var j = 0; j <= b.Length; j++)
        {
            previous[j] = j;
        }

        for (var i = 1; i <= a.Length; i++)
        {
            current[0] = i;
            for (var j = 1; j <= b.Length; j++)
            {
                var cost = a[i - 1] == b[j - 1] ? 0 : 1;
                current[j] = Math.Min(Math.Min(current[j - 1] + 1, previous[j] + 1), previous[j - 1] + cost);
            }

            (previous, current) = (current, previous);
        }

        return previous[b.Length];
    }

    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"{path} in document {scope.Index}");
}
