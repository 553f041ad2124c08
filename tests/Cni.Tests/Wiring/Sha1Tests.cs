using System.Security.Cryptography;
using Routing.Cni.Wiring;

namespace Routing.Cni.Tests.Wiring;

public sealed class Sha1Tests
{
    /// <summary>Around every padding boundary (55/56 bytes, one block, two) and the FIPS 180 "abc" vector.</summary>
    [Theory]
    [InlineData(0)]
    [InlineData(3)]
    [InlineData(55)]
    [InlineData(56)]
    [InlineData(63)]
    [InlineData(64)]
    [InlineData(119)]
    [InlineData(120)]
    [InlineData(300)]
    public void The_digest_is_the_frameworks(int length)
    {
        var message = new byte[length];
        new Random(length).NextBytes(message);

#pragma warning disable CA5350 // comparing against the reference, not security
        Assert.Equal(SHA1.HashData(message), Sha1.Hash(message));
#pragma warning restore CA5350
    }

    [Fact]
    public void Abc_is_the_fips_180_example() =>
        Assert.Equal("a9993e364706816aba3e25717850c26c9cd0d89d", Convert.ToHexStringLower(Sha1.Hash("abc"u8)));
}
