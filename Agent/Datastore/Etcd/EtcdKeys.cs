using System.Diagnostics.CodeAnalysis;
using Google.Protobuf;
using Routing.Agent.Datastore.Store;

namespace Routing.Agent.Datastore.Etcd;

/// <summary>
/// Where resources live in etcd, laid out like the Kubernetes API server's own keys:
/// <c>/routing/v1/&lt;kind&gt;/&lt;name&gt;</c> for cluster-scoped resources and
/// <c>/routing/v1/&lt;kind&gt;/&lt;namespace&gt;/&lt;name&gt;</c> for namespaced ones, the kind in
/// lower case. Names and namespaces hold no '/' (they are DNS names), so the number of segments
/// after the kind tells the two apart, and a kind's prefix (ending in '/') matches no other kind.
/// </summary>
internal static class EtcdKeys
{
    public const string Root = "/routing/v1/";

    /// <summary>The etcd key of one resource.</summary>
    /// <exception cref="ArgumentException">A part of the key is empty (namespace aside) or holds a '/'.</exception>
    public static ByteString For(ResourceKey key)
    {
        Check(key.Kind, "kind", allowEmpty: false);
        Check(key.Namespace, "namespace", allowEmpty: true);
        Check(key.Name, "name", allowEmpty: false);
        var path = key.Namespace.Length == 0
            ? $"{KindPrefix(key.Kind)}{key.Name}"
            : $"{KindPrefix(key.Kind)}{key.Namespace}/{key.Name}";
        return ByteString.CopyFromUtf8(path);
    }

    /// <summary>The prefix every key of <paramref name="kind"/> starts with.</summary>
    public static ByteString Prefix(string kind)
    {
        Check(kind, "kind", allowEmpty: false);
        return ByteString.CopyFromUtf8(KindPrefix(kind));
    }

    /// <summary>
    /// The end of the range of keys starting with <paramref name="prefix"/>: the prefix with its last
    /// byte incremented (etcd's "prefix + 1"; a Routing prefix ends in '/', never in 0xff).
    /// </summary>
    public static ByteString RangeEnd(ByteString prefix)
    {
        var end = prefix.ToByteArray();
        end[^1]++;
        return ByteString.CopyFrom(end);
    }

    /// <summary>The resource key of an etcd key under <paramref name="kind"/>'s prefix; false for a key Routing did not write.</summary>
    public static bool TryParse(string kind, ByteString key, [NotNullWhen(true)] out ResourceKey? resourceKey)
    {
        resourceKey = null;
        var text = key.ToStringUtf8();
        var prefix = KindPrefix(kind);
        if (!text.StartsWith(prefix, StringComparison.Ordinal))
        {
            return false;
        }

        var rest = text.AsSpan(prefix.Length);
        var slash = rest.IndexOf('/');
        if (slash < 0)
        {
            resourceKey = rest.Length == 0 ? null : ResourceKey.ClusterScoped(kind, rest.ToString());
        }
        else if (slash > 0 && slash < rest.Length - 1 && !rest[(slash + 1)..].Contains('/'))
        {
            resourceKey = new ResourceKey(kind, rest[..slash].ToString(), rest[(slash + 1)..].ToString());
        }

        return resourceKey is not null;
    }

    private static string KindPrefix(string kind) => $"{Root}{kind.ToLowerInvariant()}/";

    private static void Check(string part, string what, bool allowEmpty)
    {
        ArgumentNullException.ThrowIfNull(part, what);
        if ((part.Length == 0 && !allowEmpty) || part.Contains('/', StringComparison.Ordinal))
        {
            throw new ArgumentException(
                part.Length == 0 ? $"a resource key needs a {what}" : $"a resource's {what} cannot hold '/': '{part}'", what);
        }
    }
}
