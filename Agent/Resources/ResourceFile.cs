using System.Diagnostics.CodeAnalysis;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace Routing.Agent.Resources;

/// <summary>
/// Reads a multi-document YAML file of resources into a <see cref="ResourceSet"/>. All or nothing:
/// either every document is valid and the whole set comes back, or every problem found is reported
/// and nothing is returned. Routing's own kinds are read strictly (unknown fields are errors, as in
/// Calico); other kinds are kept as <see cref="OpaqueResource"/> documents.
/// </summary>
public static partial class ResourceFile
{
    // Kubernetes' ObjectMeta: the metadata fields a document may carry.
    private static readonly string[] ObjectMetaFields =
    [
        "generateName", "uid", "resourceVersion", "generation", "creationTimestamp", "deletionTimestamp",
        "deletionGracePeriodSeconds", "annotations", "ownerReferences", "finalizers", "managedFields", "selfLink",
    ];

    private delegate object? KindReader(MappingReader spec, string name, Labels labels);

    /// <summary>One reader per typed kind; kinds not listed here are kept opaque.</summary>
    private static readonly Dictionary<string, KindReader> Readers = new(StringComparer.Ordinal)
    {
        [ResourceKinds.BgpConfiguration] = ReadBgpConfiguration,
        [ResourceKinds.RoutingNode] = ReadRoutingNode,
        [ResourceKinds.BgpPeer] = ReadBgpPeer,
    };

    /// <summary>Parses <paramref name="yaml"/>; <paramref name="sourceName"/> (usually the file name) starts every message.</summary>
    /// <exception cref="ResourceValidationException">The text has problems; all of them are listed.</exception>
    public static ResourceSet Parse(string yaml, string sourceName) =>
        TryParse(yaml, sourceName, out var set, out var errors) ? set : throw new ResourceValidationException(errors);

    public static bool TryParse(
        string yaml, string sourceName, [NotNullWhen(true)] out ResourceSet? set, out IReadOnlyList<ResourceError> errors)
    {
        ArgumentNullException.ThrowIfNull(yaml);
        ArgumentNullException.ThrowIfNull(sourceName);
        set = null;
        var problems = new List<ResourceError>();
        errors = problems;

        IReadOnlyList<YamlDocumentText> documents;
        try
        {
            documents = YamlDocuments.Load(yaml);
        }
        catch (YamlException e)
        {
            problems.Add(SyntaxError(yaml, sourceName, e));
            return false;
        }

        var configurations = new List<BgpConfiguration>();
        var nodes = new List<RoutingNode>();
        var peers = new List<BgpPeer>();
        var opaque = new List<OpaqueResource>();
        var seen = new Dictionary<(string Kind, string? Namespace, string Name), int>();

        foreach (var document in documents)
        {
            var resource = ReadDocument(document, new DocumentScope(sourceName, document.Index, problems), seen);
            switch (resource)
            {
                case BgpConfiguration configuration:
                    configurations.Add(configuration);
                    break;
                case RoutingNode node:
                    nodes.Add(node);
                    break;
                case BgpPeer peer:
                    peers.Add(peer);
                    break;
                case OpaqueResource other:
                    opaque.Add(other);
                    break;
            }
        }

        if (problems.Count > 0)
        {
            // In file order, whichever check found them.
            errors = [.. problems.OrderBy(e => e.Document).ThenBy(e => e.Line).ThenBy(e => e.Column)];
            return false;
        }

        set = new ResourceSet
        {
            BgpConfigurations = configurations.OrderBy(c => c.Name, StringComparer.Ordinal).ToArray(),
            Nodes = nodes.OrderBy(n => n.Name, StringComparer.Ordinal).ToArray(),
            BgpPeers = peers.OrderBy(p => p.Name, StringComparer.Ordinal).ToArray(),
            OpaqueResources = opaque.ToArray(),
        };
        return true;
    }

    private static object? ReadDocument(
        YamlDocumentText document, DocumentScope scope, Dictionary<(string Kind, string? Namespace, string Name), int> seen)
    {
        if (MappingReader.IsNull(document.Root))
        {
            return null; // an empty document, e.g. after a trailing '---'
        }

        if (document.Root is not YamlMappingNode root)
        {
            scope.Error(null, document.Root,
                $"expected a resource (a mapping with apiVersion, kind, metadata and spec), found {MappingReader.Describe(document.Root)}");
            return null;
        }

        var top = new MappingReader(scope, root, string.Empty);
        var apiVersion = top.String("apiVersion");
        var kind = top.String("kind");
        var metadata = top.Mapping("metadata");
        var name = metadata?.String("name");
        var ns = metadata?.String("namespace");
        scope.Kind = kind;
        scope.Name = name;

        var isOurs = kind is not null && ResourceKinds.All.Contains(kind);
        if (apiVersion is null)
        {
            top.Missing("apiVersion", isOurs ? $"write apiVersion: {ResourceKinds.ApiVersion}" : "e.g. apiVersion: routing.dev/v1");
        }

        if (kind is null)
        {
            top.Missing("kind", $"e.g. kind: {ResourceKinds.BgpPeer}");
        }

        if (metadata is null)
        {
            top.Missing("metadata", "every resource needs metadata.name");
        }
        else if (name is null)
        {
            metadata.Missing("name", "every resource needs a name");
        }

        if (apiVersion is null || kind is null || name is null)
        {
            return null;
        }

        if (!isOurs && IsOurGroup(apiVersion))
        {
            var meant = ResourceKinds.All.FirstOrDefault(k => string.Equals(k, kind, StringComparison.OrdinalIgnoreCase));
            top.Error("kind", null, meant is not null
                ? $"{kind} is not a {ResourceKinds.Group} kind; did you mean {meant}?"
                : $"{kind} is not a {ResourceKinds.Group} kind (kinds: {string.Join(", ", ResourceKinds.All)})");
            return null;
        }

        if (isOurs && apiVersion != ResourceKinds.ApiVersion)
        {
            var calico = apiVersion.StartsWith("projectcalico.org/", StringComparison.Ordinal)
                ? " (Routing reads Calico's fields under its own group)"
                : string.Empty;
            top.Error("apiVersion", null,
                $"{FieldSyntax.Show(apiVersion)} does not serve {kind}; write apiVersion: {ResourceKinds.ApiVersion}{calico}");
        }

        if (seen.TryGetValue((kind, ns, name), out var first))
        {
            metadata!.Error("name", null,
                $"duplicate {kind} {FieldSyntax.Show(name)} (first in document {first}); names must be unique within a kind");
        }
        else
        {
            seen.Add((kind, ns, name), scope.Index);
        }

        if (!Readers.TryGetValue(kind, out var reader))
        {
            return scope.HasErrors ? null : new OpaqueResource
            {
                ApiVersion = apiVersion,
                Kind = kind,
                Name = name,
                Namespace = ns,
                Yaml = document.Text,
                Document = document.Index,
                Line = document.Line,
            };
        }

        var labels = ReadMetadata(metadata!, name, ns);
        top.Ignore("status");
        var spec = top.Mapping("spec") ?? new MappingReader(scope, null, "spec", root);
        top.RejectUnknown(kind);
        var resource = reader(spec, name, labels);
        spec.RejectUnknown($"{kind} spec");
        return scope.HasErrors ? null : resource;
    }

    private static bool IsOurGroup(string apiVersion) =>
        apiVersion == ResourceKinds.Group || apiVersion.StartsWith(ResourceKinds.Group + "/", StringComparison.Ordinal);

    private static Labels ReadMetadata(MappingReader metadata, string name, string? ns)
    {
        if (!FieldSyntax.IsValidName(name))
        {
            metadata.Error("name", null, $"{FieldSyntax.Show(name)} is not a valid name ({FieldSyntax.NameRule})");
        }

        if (ns is not null)
        {
            metadata.Error("namespace", null, $"{metadata.Scope.Kind} is cluster-scoped; remove metadata.namespace");
        }

        var labels = metadata.Mapping("labels");
        var result = labels is null ? Labels.Empty : Labels.Create(labels.StringEntries().Select(l => KeyValuePair.Create(l.Key, l.Value)));
        metadata.Ignore(ObjectMetaFields);
        metadata.RejectUnknown("metadata");
        return result;
    }

    private static ResourceError SyntaxError(string yaml, string sourceName, YamlException e)
    {
        var problem = e.Message;
        var at = e.Start;
        var line = (int)at.Line;
        var column = (int)at.Column;
        var lines = yaml.Split('\n');
        if (problem.Contains("tab", StringComparison.OrdinalIgnoreCase))
        {
            // The scanner may place a tab problem at the mapping's start; point at the first indenting tab instead.
            var tabbed = Array.FindIndex(lines, l => l.TrimStart(' ').StartsWith('\t'));
            if (tabbed >= 0)
            {
                (line, column) = (tabbed + 1, lines[tabbed].IndexOf('\t', StringComparison.Ordinal) + 1);
            }

            problem += " YAML indents with spaces only.";
        }
        else if (problem.Contains("did not find expected key", StringComparison.Ordinal) ||
                 problem.Contains("mapping values are not allowed", StringComparison.Ordinal))
        {
            problem += " Check the indentation of this line and the one before it.";
        }
        else if (problem.Contains("found invalid mapping", StringComparison.Ordinal))
        {
            problem += " Quote a value that contains ': ', or check the indentation.";
        }
        else if (problem.StartsWith("Duplicate key", StringComparison.Ordinal))
        {
            problem += "; each field may appear once per mapping.";
        }

        return new ResourceError(sourceName, YamlDocuments.DocumentAt(yaml, line), null, null, null, $"YAML syntax error: {problem}", line, column);
    }
}
