using System.Security.Cryptography;
using System.Text;

namespace Routing.Agent.Datastore.Store;

/// <summary>
/// Revisions for stores without a server-side counter (the file store): a hash of the document.
/// Compare-and-swap on content is exact for read-modify-write: a writer that read a document
/// equal to the one there now computes the same result as if nothing had happened in between.
/// </summary>
public static class ResourceRevision
{
    public static string OfContent(string json)
    {
        ArgumentNullException.ThrowIfNull(json);
        Span<byte> hash = stackalloc byte[32];
        var bytes = Encoding.UTF8.GetBytes(json);
        SHA256.HashData(bytes, hash);
        return Convert.ToHexStringLower(hash[..8]);
    }
}
