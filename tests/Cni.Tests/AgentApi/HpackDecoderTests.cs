using Routing.Cni.AgentApi.Http2;

namespace Routing.Cni.Tests.AgentApi;

public sealed class HpackDecoderTests
{
    [Fact]
    public void Rfc7541_c3_requests_decode_with_the_dynamic_table_carried_between_blocks()
    {
        var decoder = new HpackDecoder();
        var first = new List<(string, string)>();
        var second = new List<(string, string)>();

        decoder.Decode(Convert.FromHexString("828684410f7777772e6578616d706c652e636f6d"), first);
        decoder.Decode(Convert.FromHexString("828684be58086e6f2d6361636865"), second);

        Assert.Equal([(":method", string.Empty), (":scheme", string.Empty), (":path", string.Empty), (":authority", "www.example.com")], first);
        Assert.Equal((":authority", "www.example.com"), second[3]);
        Assert.Equal(("cache-control", "no-cache"), second[4]);
    }

    [Fact]
    public void Status_trailers_and_a_multi_byte_integer_decode()
    {
        var decoder = new HpackDecoder();
        var fields = new List<(string, string)>();

        // :status 200 indexed; grpc-status 0 as a literal with a new name; then C.1.2's 1337 in a 5-bit prefix.
        decoder.Decode([0x88, 0x40, 11, .. "grpc-status"u8, 1, (byte)'0'], fields);
        var position = 0;

        Assert.Equal([(":status", "200"), ("grpc-status", "0")], fields);
        Assert.Equal(1337, HpackDecoder.ReadInteger([0x1f, 0x9a, 0x0a], ref position, 5));
    }

    [Fact]
    public void Huffman_strings_and_unknown_indexes_are_refused()
    {
        var decoder = new HpackDecoder();

        Assert.Throws<InvalidDataException>(() => decoder.Decode([0x40, 0x81, 0xff, 0x01, (byte)'0'], []));
        Assert.Throws<InvalidDataException>(() => decoder.Decode([0xc0], []));
    }
}
