using System.Buffers;

namespace Routing.Bgp.Tests.Wire;

/// <summary>A <see cref="ReadOnlySequence{T}"/> over several segments, as a pipe hands over data that arrived in pieces.</summary>
internal sealed class ChunkedSequence : ReadOnlySequenceSegment<byte>
{
    private ChunkedSequence(ReadOnlyMemory<byte> memory, long runningIndex)
    {
        Memory = memory;
        RunningIndex = runningIndex;
    }

    public static ReadOnlySequence<byte> Of(params byte[][] chunks)
    {
        ArgumentOutOfRangeException.ThrowIfZero(chunks.Length);
        var first = new ChunkedSequence(chunks[0], 0);
        var last = first;
        foreach (var chunk in chunks.Skip(1))
        {
            var next = new ChunkedSequence(chunk, last.RunningIndex + last.Memory.Length);
            last.Next = next;
            last = next;
        }

        return new ReadOnlySequence<byte>(first, 0, last, last.Memory.Length);
    }

    /// <summary><paramref name="bytes"/> cut into segments of <paramref name="size"/> bytes (the last may be shorter).</summary>
    public static ReadOnlySequence<byte> Split(byte[] bytes, int size) =>
        Of(bytes.Chunk(size).ToArray());
}
