using System.Globalization;
using YamlDotNet.RepresentationModel;

namespace Routing.Agent.Resources;

public static partial class ResourceFile
{
    private static BgpPeer ReadBgpPeer(MappingReader spec, string name, Labels labels)
    {
        var peerIP = ReadPeerEndpoint(spec, "peerIP");
        var asNumber = spec.AsNumber("asNumber");
        var node = spec.String("node");
        var nodeSelector = ReadNodeSelector(spec, "nodeSelector");
        var peerSelector = spec.String("peerSelector");
        _ = ReadNodeSelector(spec, "peerSelector"); // its syntax, reported against the field
        var keepalive = ReadBgpTimer(spec, "keepaliveTime");
        var hold = ReadBgpTimer(spec, "holdTime");
        var sourceAddress = ReadSourceAddress(spec, "sourceAddress");
        var password = ReadPassword(spec, "password");
        var passive = spec.Bool("passive") ?? false;

        // Calico's rules: one neighbour by address and AS, or nodes chosen by peerSelector.
        if (peerSelector is not null)
        {
            if (spec.Value("peerIP") is not null)
            {
                spec.Error("peerSelector", null, "set either peerIP (one neighbour) or peerSelector (nodes as neighbours), not both");
            }

            if (asNumber is not null)
            {
                spec.Error("asNumber", null, "remove it: with peerSelector, each selected node's own AS number is used");
            }
        }
        else
        {
            if (spec.Value("peerIP") is null)
            {
                spec.Missing("peerIP", "the neighbour's address, e.g. peerIP: 192.0.2.1 (or set peerSelector to peer with other nodes)");
            }

            if (spec.Value("asNumber") is null)
            {
                spec.Missing("asNumber", "the neighbour's AS number, e.g. asNumber: 64513");
            }
        }

        if (node is not null)
        {
            if (!FieldSyntax.IsValidName(node))
            {
                spec.Error("node", null, $"{FieldSyntax.Show(node)} is not a node name ({FieldSyntax.NameRule})");
            }

            if (spec.Value("nodeSelector") is not null)
            {
                spec.Error("nodeSelector", null, "set either node (one node) or nodeSelector (some nodes), not both");
            }
        }

        if (hold is { } h && h > TimeSpan.Zero && h < TimeSpan.FromSeconds(3))
        {
            spec.Error("holdTime", null, $"{GoDuration.Format(h)} is not allowed: the hold time must be 0 (no keepalives) or at least 3s (RFC 4271 §4.2)");
        }
        else if (keepalive is { } k && (hold ?? BgpPeer.DefaultHoldTime) is var effective && effective > TimeSpan.Zero && k >= effective)
        {
            var third = TimeSpan.FromSeconds(Math.Max(1, (int)effective.TotalSeconds / 3));
            var whose = hold is null ? $"the default hold time ({GoDuration.Format(effective)})" : $"holdTime ({GoDuration.Format(effective)})";
            spec.Error("keepaliveTime", null, $"{GoDuration.Format(k)} must be less than {whose}; a third of it ({GoDuration.Format(third)}) is usual");
        }

        return new BgpPeer
        {
            Name = name,
            Labels = labels,
            PeerIP = peerIP,
            AsNumber = asNumber,
            Node = node,
            NodeSelector = nodeSelector,
            PeerSelector = peerSelector,
            KeepaliveTime = keepalive,
            HoldTime = hold,
            Passive = passive,
            SourceAddress = sourceAddress,
            Password = password,
        };
    }

    private static PeerEndpoint? ReadPeerEndpoint(MappingReader spec, string key)
    {
        var value = spec.Value(key);
        var text = value is null ? null : spec.Scalar(key, value, "an IP address");
        if (text is null)
        {
            return null;
        }

        if (PeerEndpoint.TryParse(text, out var endpoint, out var badPort))
        {
            return endpoint;
        }

        spec.Error(key, value, badPort
            ? $"{FieldSyntax.Show(text)} has a bad port (1–65535)"
            : $"{FieldSyntax.Show(text)} is not an IP address (e.g. 192.0.2.1 or 2001:db8::1, with an optional port: 192.0.2.1:1179 or [2001:db8::1]:1179)");
        return null;
    }

    private static NodeSelector? ReadNodeSelector(MappingReader spec, string key)
    {
        var text = spec.String(key);
        if (text is null)
        {
            return null;
        }

        if (NodeSelector.TryParse(text, out var selector, out var error))
        {
            return selector;
        }

        spec.Error(key, null, error);
        return null;
    }

    /// <summary>A BGP timer: a duration of whole seconds that fits the OPEN message's 16 bits (RFC 4271 §4.2).</summary>
    private static TimeSpan? ReadBgpTimer(MappingReader spec, string key)
    {
        if (spec.Duration(key) is not { } value)
        {
            return null;
        }

        if (value < TimeSpan.Zero)
        {
            spec.Error(key, null, $"{GoDuration.Format(value)} is negative");
            return null;
        }

        if (value.Ticks % TimeSpan.TicksPerSecond != 0)
        {
            var seconds = (long)Math.Round(value.TotalSeconds, MidpointRounding.AwayFromZero);
            spec.Error(key, null, string.Create(CultureInfo.InvariantCulture,
                $"{GoDuration.Format(value)} is not a whole number of seconds, which BGP timers are (e.g. {seconds}s)"));
            return null;
        }

        if (value.TotalSeconds > ushort.MaxValue)
        {
            spec.Error(key, null, $"{GoDuration.Format(value)} is too long: BGP timers are at most 65535s (18h12m15s)");
            return null;
        }

        return value;
    }

    private static SourceAddress ReadSourceAddress(MappingReader spec, string key)
    {
        var text = spec.String(key);
        switch (text)
        {
            case null:
                return SourceAddress.UseNodeIP;
            case "UseNodeIP":
                return SourceAddress.UseNodeIP;
            case "None":
                return SourceAddress.None;
        }

        if (FieldSyntax.TryParseAddress(text, out var address))
        {
            return SourceAddress.FromAddress(address);
        }

        spec.Error(key, null, $"{FieldSyntax.Show(text)} is not UseNodeIP, None or an IP address");
        return SourceAddress.UseNodeIP;
    }

    private static string? ReadPassword(MappingReader spec, string key)
    {
        var value = spec.Value(key);
        switch (value)
        {
            case null:
                return null;
            case YamlScalarNode scalar:
                if (string.IsNullOrEmpty(scalar.Value))
                {
                    spec.Error(key, value, "empty password; remove the field for no password");
                }

                return scalar.Value;
            case YamlMappingNode mapping when mapping.Children.ContainsKey(new YamlScalarNode("secretKeyRef")):
                spec.Error(key, value, "secretKeyRef is not supported by this build; write the password itself: password: \"…\"");
                return null;
            default:
                spec.Error(key, value, $"expected the password as a string, found {MappingReader.Describe(value)}");
                return null;
        }
    }
}
