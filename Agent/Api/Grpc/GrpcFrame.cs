using System.Buffers.Binary;
using Google.Protobuf;

namespace Routing.Agent.Api.Grpc;

/// <summary>
/// gRPC's length-prefixed message (PROTOCOL-HTTP2.md): a compressed flag, a 4-byte big-endian
/// length, the message. Shared by the client and the agent's server.
/// </summary>
internal static class GrpcFrame
{
    public const int HeaderLength = 5;

    public static byte[] Encode(IMessage message)
    {
        var frame = new byte[HeaderLength + message.CalculateSize()];
        BinaryPrimitives.WriteUInt32BigEndian(frame.AsSpan(1), (uint)(frame.Length - HeaderLength));
        message.WriteTo(frame.AsSpan(HeaderLength));
        return frame;
    }

    /// <summary>The message length a header announces, or null for a compressed message (not supported here).</summary>
    public static uint? MessageLength(ReadOnlySpan<byte> header) =>
        header[0] != 0 ? null : BinaryPrimitives.ReadUInt32BigEndian(header[1..]);
}
