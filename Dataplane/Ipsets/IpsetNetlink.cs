using System.Buffers.Binary;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using Routing.Dataplane.Namespaces;
using Routing.Dataplane.Netlink;

namespace Routing.Dataplane.Ipsets;

/// <summary>
/// Adds and deletes set members over nfnetlink (NFNL_SUBSYS_IPSET), as <c>ipset add/del -exist</c>
/// do, without starting a process: one IPSET_CMD_ADD or IPSET_CMD_DEL per member, all in one
/// batch. Creating, swapping and destroying sets stays with <c>ipset restore</c>.
/// </summary>
/// <remarks>
/// Messages (include/uapi/linux/netfilter/ipset/ip_set.h): nlmsghdr type (6 &lt;&lt; 8) | cmd,
/// nfgenmsg {family, NFNETLINK_V0, res_id 0}, then IPSET_ATTR_PROTOCOL (u8), IPSET_ATTR_SETNAME
/// (string) and IPSET_ATTR_DATA (nested): IPSET_ATTR_IP (nested: IPADDR_IPV4/IPV6, network
/// order), IPSET_ATTR_CIDR (u8), IPSET_ATTR_PORT (u16, network order), IPSET_ATTR_PROTO (u8).
/// The kernel wants NLA_F_NESTED on nested attributes and NLA_F_NET_BYTEORDER on addresses and
/// ports. Without NLM_F_EXCL an existing member added, or a missing one deleted, is no error.
/// Not thread-safe.
/// </remarks>
public sealed class IpsetNetlink : IDisposable
{
    private const int SubsystemIpset = 6;
    private const byte CommandAdd = 9;
    private const byte CommandDelete = 10;

    // IPSET_PROTOCOL_MIN: every kernel with protocol 7 takes 6 for add and del.
    private const byte Protocol = 6;
    private const ushort AttributeProtocol = 1;
    private const ushort AttributeSetName = 2;
    private const ushort AttributeData = 7;
    private const ushort AttributeIp = 1;
    private const ushort AttributeCidr = 3;
    private const ushort AttributePort = 4;
    private const ushort AttributeProto = 7;
    private const ushort AttributeInterface = 23;
    private const ushort AddressIPv4 = 1;
    private const ushort AddressIPv6 = 2;
    private const ushort Nested = 0x8000;
    private const ushort NetworkOrder = 0x4000;

    private readonly NetlinkConnection connection;

    private IpsetNetlink(NetlinkConnection connection) => this.connection = connection;

    /// <summary>A connection to the sets of <paramref name="ns"/> (null: the calling thread's namespace).</summary>
    public static IpsetNetlink Open(NetworkNamespace? ns = null) => new(NetlinkConnection.OpenNetfilter(ns));

    /// <summary>Adds each update's added members and deletes its removed ones; the kernel's refusals come back, by member.</summary>
    public NetlinkBatchResult Write(IReadOnlyList<IpsetUpdate> updates)
    {
        ArgumentNullException.ThrowIfNull(updates);
        var changes = new List<Change>();
        foreach (var update in updates)
        {
            changes.AddRange(update.Removed.Select(m => new Change(update.Set, CommandDelete, m)));
            changes.AddRange(update.Added.Select(m => new Change(update.Set, CommandAdd, m)));
        }

        return connection.Send(new Batch(changes));
    }

    public void Dispose() => connection.Dispose();

    private static void WriteMember(NetlinkMessageBuilder builder, Change change)
    {
        var set = change.Set;
        var header = builder.AppendHeader(4);
        header[0] = (byte)(set.Family == AddressFamily.InterNetwork ? 2 : 10);
        header[1] = 0;
        BinaryPrimitives.WriteUInt16BigEndian(header[2..], 0);
        builder.PutUInt8(AttributeProtocol, Protocol);
        builder.PutString(AttributeSetName, set.Name);
        var data = builder.BeginNested(AttributeData | Nested);
        var member = change.Member;
        switch (set.Type)
        {
            case IpsetType.HashIp:
                PutAddress(builder, IPAddress.Parse(member));
                break;
            case IpsetType.HashNet:
                PutNetwork(builder, member);
                break;
            case IpsetType.HashNetIface:
                // Normalised: PREFIX,INTERFACE.
                var separator = member.LastIndexOf(',');
                PutNetwork(builder, member[..separator]);
                builder.PutString(AttributeInterface, member[(separator + 1)..]);
                break;
            case IpsetType.HashIpPort:
                // Normalised: ADDRESS,PROTOCOL:PORT.
                var comma = member.LastIndexOf(',');
                var colon = member.IndexOf(':', comma);
                PutAddress(builder, IPAddress.Parse(member.AsSpan(0, comma)));
                Span<byte> port = stackalloc byte[2];
                BinaryPrimitives.WriteUInt16BigEndian(port, ushort.Parse(member.AsSpan(colon + 1), NumberStyles.None, CultureInfo.InvariantCulture));
                builder.PutAttribute(AttributePort | NetworkOrder, port);
                builder.PutUInt8(AttributeProto, ProtocolNumber(member.AsSpan(comma + 1, colon - comma - 1)));
                break;
            default:
                throw new ArgumentOutOfRangeException(nameof(change), set.Type, null);
        }

        builder.EndNested(data);
    }

    private static void PutNetwork(NetlinkMessageBuilder builder, string network)
    {
        var slash = network.IndexOf('/', StringComparison.Ordinal);
        var address = IPAddress.Parse(slash < 0 ? network : network[..slash]);
        PutAddress(builder, address);
        builder.PutUInt8(AttributeCidr, slash < 0
            ? (byte)(address.AddressFamily == AddressFamily.InterNetwork ? 32 : 128)
            : byte.Parse(network.AsSpan(slash + 1), NumberStyles.None, CultureInfo.InvariantCulture));
    }

    private static void PutAddress(NetlinkMessageBuilder builder, IPAddress address)
    {
        var ip = builder.BeginNested(AttributeIp | Nested);
        Span<byte> bytes = stackalloc byte[16];
        address.TryWriteBytes(bytes, out var written);
        builder.PutAttribute((ushort)((address.AddressFamily == AddressFamily.InterNetwork ? AddressIPv4 : AddressIPv6) | NetworkOrder), bytes[..written]);
        builder.EndNested(ip);
    }

    private static byte ProtocolNumber(ReadOnlySpan<char> name) => name switch
    {
        "tcp" => 6,
        "udp" => 17,
        "sctp" => 132,
        "udplite" => 136,
        _ => throw new ArgumentException($"unknown protocol {name}", nameof(name)),
    };

    private sealed record Change(Ipset Set, byte Command, string Member);

    private sealed class Batch(List<Change> changes) : NetlinkBatch
    {
        public override int Count => changes.Count;

        protected internal override void Write(NetlinkMessageBuilder builder, int index, uint sequence)
        {
            var change = changes[index];
            builder.BeginMessage((NetlinkMessageType)((SubsystemIpset << 8) | change.Command), NetlinkMessageFlags.Request, sequence);
            WriteMember(builder, change);
            builder.EndMessage();
        }

        protected internal override string Describe(int index)
        {
            var change = changes[index];
            return $"ipset {(change.Command == CommandAdd ? "add" : "del")} {change.Set.Name} {change.Member}";
        }
    }
}
