using System.Buffers;
using System.Text;
using System.Text.Json;
using Routing.Agent.Datastore.Store;

namespace Routing.Agent.Datastore.FileStore;

/// <summary>
/// Recognises a JSON document already in the form the file store keeps (compact, so one journal
/// line) and reads the key it names, in one pass of a reader: what IPAM writes (a block with
/// every allocation, on each allocation) is then stored as it is, not parsed into a DOM and
/// written out again.
/// </summary>
internal static class CompactDocument
{
    /// <summary>True when <paramref name="json"/> is one valid, compact JSON object naming <paramref name="key"/>.</summary>
    public static bool TryRead(string json, out ResourceKey key)
    {
        key = default;
        var buffer = ArrayPool<byte>.Shared.Rent(Encoding.UTF8.GetMaxByteCount(json.Length));
        try
        {
            var length = Encoding.UTF8.GetBytes(json, buffer);
            return TryRead(buffer.AsSpan(0, length), out key);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    private static bool TryRead(ReadOnlySpan<byte> utf8, out ResourceKey key)
    {
        key = default;
        string? kind = null, name = null, ns = null;
        var reader = new Utf8JsonReader(utf8);
        long end = 0;
        var inMetadata = false;
        string? property = null;
        try
        {
            while (reader.Read())
            {
                // Between two tokens only their separator: any whitespace means the slow, rewriting path.
                var gap = reader.TokenStartIndex - end;
                if (gap > 1 || (gap == 1 && utf8[(int)end] is not (byte)',' and not (byte)':'))
                {
                    return false;
                }

                end = reader.BytesConsumed;
                switch (reader.TokenType)
                {
                    case JsonTokenType.PropertyName:
                        property = reader.GetString();
                        if (reader.CurrentDepth == 1)
                        {
                            inMetadata = property == "metadata";
                        }

                        continue;
                    case JsonTokenType.String when reader.CurrentDepth == 1 && property == "kind":
                        kind = reader.GetString();
                        break;
                    case JsonTokenType.String when reader.CurrentDepth == 2 && inMetadata && property == "name":
                        name = reader.GetString();
                        break;
                    case JsonTokenType.String when reader.CurrentDepth == 2 && inMetadata && property == "namespace":
                        ns = reader.GetString();
                        break;
                    case JsonTokenType.StartObject or JsonTokenType.EndObject when reader.CurrentDepth == 0:
                        break;
                    default:
                        if (reader.CurrentDepth == 0)
                        {
                            return false;   // a top-level value that is not an object
                        }

                        break;
                }

                property = null;
            }
        }
        catch (JsonException)
        {
            return false;
        }

        if (end != utf8.Length || string.IsNullOrEmpty(kind) || string.IsNullOrEmpty(name))
        {
            return false;
        }

        key = new ResourceKey(kind, ns ?? "", name);
        return true;
    }
}
