using System.Diagnostics.CodeAnalysis;
using Routing.Bgp.Wire;

namespace Routing.Agent.Datastore;

/// <summary>Where the agent reads cluster state from.</summary>
public enum DatastoreKind
{
    /// <summary><c>file:PATH</c>: a multi-document YAML file, watched for changes.</summary>
    File,

    /// <summary><c>etcd:http://HOST:PORT</c>: etcd v3.</summary>
    Etcd,

    /// <summary><c>kubernetes</c>: the API server, in-cluster or from <c>$KUBECONFIG</c>.</summary>
    Kubernetes,
}

/// <summary>
/// A parsed <c>--datastore</c> value: <c>file:/etc/routing/resources.yaml</c>,
/// <c>etcd:http://127.0.0.1:2379</c> (several endpoints separated by commas), <c>kubernetes</c>
/// or <c>kubernetes:/path/to/kubeconfig</c>.
/// </summary>
public sealed record DatastoreUri
{
    private const string Expected =
        "expected file:PATH (e.g. file:/etc/routing/resources.yaml), etcd:http://HOST:PORT or kubernetes";

    private DatastoreUri(DatastoreKind kind, string? path, EquatableArray<string> endpoints)
    {
        Kind = kind;
        Path = path;
        Endpoints = endpoints;
    }

    public DatastoreKind Kind { get; }

    /// <summary>The resource file for <see cref="DatastoreKind.File"/>; the kubeconfig, if given, for <see cref="DatastoreKind.Kubernetes"/>.</summary>
    public string? Path { get; }

    /// <summary>The etcd endpoints (<c>http://127.0.0.1:2379</c>) for <see cref="DatastoreKind.Etcd"/>.</summary>
    public EquatableArray<string> Endpoints { get; }

    public static DatastoreUri File(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        return new(DatastoreKind.File, path, default);
    }

    /// <exception cref="FormatException">The text is not a datastore URI; the message says what is expected.</exception>
    public static DatastoreUri Parse(string text) =>
        TryParse(text, out var uri, out var error) ? uri : throw new FormatException(error);

    public static bool TryParse([NotNullWhen(true)] string? text, [NotNullWhen(true)] out DatastoreUri? uri, [NotNullWhen(false)] out string? error)
    {
        uri = null;
        error = null;
        text = text?.Trim();
        if (string.IsNullOrEmpty(text))
        {
            error = $"no datastore given; {Expected}";
            return false;
        }

        var colon = text.IndexOf(':', StringComparison.Ordinal);
        var scheme = colon < 0 ? text : text[..colon];
        var rest = colon < 0 ? string.Empty : text[(colon + 1)..];
        switch (scheme.ToLowerInvariant())
        {
            case "file":
                return TryParseFile(text, rest, out uri, out error);
            case "etcd":
                return TryParseEtcd(text, rest, out uri, out error);
            case "kubernetes":
                uri = new DatastoreUri(DatastoreKind.Kubernetes, rest.Length == 0 ? null : rest, default);
                return true;
            default:
                error = text.StartsWith('/') || text.StartsWith('.')
                    ? $"'{text}' has no datastore type; did you mean file:{text}?"
                    : $"unknown datastore '{text}'; {Expected}";
                return false;
        }
    }

    private static bool TryParseFile(string text, string rest, out DatastoreUri? uri, out string? error)
    {
        uri = null;
        error = null;

        // Accept the URL spelling file:///etc/x.yaml as well as file:/etc/x.yaml; a host is not a path.
        if (rest.StartsWith("//", StringComparison.Ordinal))
        {
            rest = rest[2..];
            if (!rest.StartsWith('/'))
            {
                error = $"'{text}' names a host; write file:/absolute/path or file:relative/path";
                return false;
            }
        }

        if (rest.Length == 0)
        {
            error = "file: needs a path, e.g. file:/etc/routing/resources.yaml";
            return false;
        }

        uri = new DatastoreUri(DatastoreKind.File, Uri.UnescapeDataString(rest), default);
        return true;
    }

    private static bool TryParseEtcd(string text, string rest, out DatastoreUri? uri, out string? error)
    {
        uri = null;
        error = null;
        var endpoints = rest.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
        if (endpoints.Length == 0)
        {
            error = "etcd: needs an endpoint, e.g. etcd:http://127.0.0.1:2379";
            return false;
        }

        foreach (var endpoint in endpoints)
        {
            if (!Uri.TryCreate(endpoint, UriKind.Absolute, out var parsed) || parsed.Scheme is not ("http" or "https") ||
                string.IsNullOrEmpty(parsed.Host) || parsed.PathAndQuery is not ("/" or ""))
            {
                error = $"'{endpoint}' in '{text}' is not an etcd endpoint; write http://HOST:PORT or https://HOST:PORT, e.g. etcd:http://127.0.0.1:2379";
                return false;
            }
        }

        uri = new DatastoreUri(DatastoreKind.Etcd, null, endpoints);
        return true;
    }

    public override string ToString() => Kind switch
    {
        DatastoreKind.File => $"file:{Path}",
        DatastoreKind.Etcd => $"etcd:{string.Join(',', Endpoints)}",
        _ => Path is null ? "kubernetes" : $"kubernetes:{Path}",
    };
}
