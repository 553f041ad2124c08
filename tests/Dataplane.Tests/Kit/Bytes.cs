namespace Routing.Dataplane.Tests.Kit;

/// <summary>Byte strings as strace prints them ("\x02\x18…") or as hex.</summary>
public static class Bytes
{
    public static byte[] FromStrace(string escaped) =>
        Convert.FromHexString(escaped.Replace("\\x", string.Empty, StringComparison.Ordinal));
}
