using System.Collections.Concurrent;
using System.Globalization;
using Routing.Agent.Dns.Wire;

namespace Routing.Agent.Dns.Server;

/// <summary>
/// A small cache of forwarded answers, keyed by the question and the EDNS facts that shape the
/// answer. A hit is the stored message with the asker's id and question spelling, its TTLs lowered
/// by the time it spent here. When full, the cache is emptied and starts over (cheap, and bounded).
/// </summary>
public sealed class ResponseCache(int capacity, TimeSpan maxTtl, TimeProvider? time = null)
{
    private readonly ConcurrentDictionary<string, Entry> entries = new(StringComparer.Ordinal);
    private readonly TimeProvider clock = time ?? TimeProvider.System;

    public int Count => entries.Count;

    /// <summary>The key of a question: its name (lower case), type, class, and whether it has EDNS, DO and CD.</summary>
    public static string KeyFor(ReadOnlySpan<char> name, in DnsQuery query) =>
        string.Create(CultureInfo.InvariantCulture, $"{name}|{(ushort)query.Type}|{query.Class}|{(query.HasEdns ? 1 : 0)}{(query.DnssecOk ? 1 : 0)}{((query.Flags & DnsHeader.CD) != 0 ? 1 : 0)}");

    /// <summary>Keeps a response from upstream if it may be kept: NOERROR or NXDOMAIN, not truncated, with a TTL.</summary>
    public void Store(string key, ReadOnlySpan<byte> response)
    {
        if (capacity <= 0 || response.Length < DnsHeader.Length)
        {
            return;
        }

        var flags = DnsHeader.Flags(response);
        var code = flags & 0xF;
        if ((flags & DnsHeader.TC) != 0 || (code != (int)DnsResponseCode.NoError && code != (int)DnsResponseCode.NameError))
        {
            return;
        }

        var copy = response.ToArray();
        if (!DnsRecords.TryAgeTtls(copy, 0, out var ttl) || ttl == 0)
        {
            return;
        }

        ttl = (uint)Math.Min(ttl, maxTtl.TotalSeconds);
        if (entries.Count >= capacity)
        {
            entries.Clear();
        }

        entries[key] = new Entry(copy, clock.GetTimestamp(), ttl);
    }

    /// <summary>Writes the cached answer to <paramref name="query"/> into <paramref name="response"/>; false on a miss.</summary>
    public bool TryAnswer(string key, ReadOnlySpan<byte> query, in DnsQuery question, Span<byte> response, int limit, out int length)
    {
        length = 0;
        if (!entries.TryGetValue(key, out var entry))
        {
            return false;
        }

        var elapsed = clock.GetElapsedTime(entry.Stored).TotalSeconds;
        if (elapsed >= entry.Ttl)
        {
            entries.TryRemove(new KeyValuePair<string, Entry>(key, entry));
            return false;
        }

        if (entry.Message.Length > limit)
        {
            length = DnsResponse.Write(response, query, question, DnsResponseCode.NoError, authoritative: false, null, null, null, limit: 0);
            return true;
        }

        var message = response[..entry.Message.Length];
        entry.Message.CopyTo(message);
        DnsHeader.SetId(message, question.Id);
        var questionBytes = query[DnsHeader.Length..question.QuestionEnd];
        if (message.Length >= question.QuestionEnd)
        {
            questionBytes.CopyTo(message[DnsHeader.Length..]);
        }

        DnsRecords.TryAgeTtls(message, (uint)elapsed, out _);
        length = message.Length;
        return true;
    }

    private sealed record Entry(byte[] Message, long Stored, uint Ttl);
}
