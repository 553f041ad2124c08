namespace Routing.Agent.Dns.Wire;

/// <summary>
/// Resource records already in wire form, ready to be copied into a response: <see cref="Count"/>
/// records in <see cref="Bytes"/>. Answer records are written with their owner as a pointer to the
/// question (<see cref="DnsName.PointerToQuestion"/>), so the same bytes answer every spelling of the name.
/// </summary>
public sealed class RecordSet(byte[] bytes, int count)
{
    public static RecordSet Empty { get; } = new([], 0);

    public byte[] Bytes { get; } = bytes;

    public int Count { get; } = count;

    public int Length => Bytes.Length;

    public static RecordSet Concat(IEnumerable<RecordSet?> sets)
    {
        ArgumentNullException.ThrowIfNull(sets);
        var present = sets.OfType<RecordSet>().ToArray();
        return present.Length switch
        {
            0 => Empty,
            1 => present[0],
            _ => new RecordSet([.. present.SelectMany(s => s.Bytes)], present.Sum(s => s.Count)),
        };
    }
}
