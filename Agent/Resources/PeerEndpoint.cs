using System.Diagnostics.CodeAnalysis;
using System.Net;
using System.Net.Sockets;

namespace Routing.Agent.Resources;

/// <summary>
/// A BGPPeer's <c>peerIP</c>: an IPv4 or IPv6 address with an optional TCP port, written like
/// Calico's: <c>192.0.2.1</c>, <c>192.0.2.1:1179</c>, <c>2001:db8::1</c>, <c>[2001:db8::1]:1179</c>.
/// </summary>
public readonly record struct PeerEndpoint
{
    public const int DefaultPort = 179;

    public PeerEndpoint(IPAddress address, int? port = null)
    {
        ArgumentNullException.ThrowIfNull(address);
        if (port is { } p)
        {
            ArgumentOutOfRangeException.ThrowIfLessThan(p, 1, nameof(port));
            ArgumentOutOfRangeException.ThrowIfGreaterThan(p, 65535, nameof(port));
        }

        Address = address;
        Port = port;
    }

    public IPAddress Address { get; }

    /// <summary>The port as written; null when the default (179) applies.</summary>
    public int? Port { get; }

    public int PortOrDefault => Port ?? DefaultPort;

    public bool IsIPv6 => Address.AddressFamily == AddressFamily.InterNetworkV6;

    public static bool TryParse([NotNullWhen(true)] string? text, out PeerEndpoint value) => TryParse(text, out value, out _);

    /// <summary>Parses a peer address; <paramref name="badPort"/> is set when only the port is wrong.</summary>
    internal static bool TryParse([NotNullWhen(true)] string? text, out PeerEndpoint value, out bool badPort)
    {
        value = default;
        badPort = false;
        if (string.IsNullOrEmpty(text))
        {
            return false;
        }

        string host;
        string? port = null;
        if (text.StartsWith('['))
        {
            var close = text.IndexOf(']', StringComparison.Ordinal);
            if (close < 0)
            {
                return false;
            }

            host = text[1..close];
            var rest = text[(close + 1)..];
            if (rest.Length > 0)
            {
                if (rest[0] != ':')
                {
                    return false;
                }

                port = rest[1..];
            }

            if (!host.Contains(':', StringComparison.Ordinal))
            {
                return false; // brackets are for IPv6 only
            }
        }
        else if (text.Count(c => c == ':') == 1)
        {
            // One colon can only be IPv4:port; IPv6 with a port must be bracketed.
            var colon = text.IndexOf(':', StringComparison.Ordinal);
            host = text[..colon];
            port = text[(colon + 1)..];
        }
        else
        {
            host = text;
        }

        if (!FieldSyntax.TryParseAddress(host, out var address))
        {
            return false;
        }

        int? portNumber = null;
        if (port is not null)
        {
            if (!FieldSyntax.TryParsePort(port, out var parsed))
            {
                badPort = true;
                return false;
            }

            portNumber = parsed;
        }

        value = new PeerEndpoint(address, portNumber);
        return true;
    }

    public static PeerEndpoint Parse(string text) =>
        TryParse(text, out var value) ? value : throw new FormatException($"'{text}' is not a peer address (e.g. 192.0.2.1, 192.0.2.1:1179, [2001:db8::1]:1179)");

    public override string ToString() => Port is not { } port ? Address.ToString() : IsIPv6 ? $"[{Address}]:{port}" : $"{Address}:{port}";
}
