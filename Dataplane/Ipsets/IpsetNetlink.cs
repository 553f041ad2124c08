using System.Buffers.Binary;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using Routing.Dataplane.Namespaces;
using Routing.Dataplane.Netlink;

namespace Routing.Dataplane.Ipsets;

/// <summary>
/// Writes sets over nfnetlink (NFNL_SUBSYS_IPSET), as <c>ipset restore -exist</c> would, without
/// starting a process or formatting text: member changes (IPSET_CMD_ADD or IPSET_CMD_DEL, up to 64
/// members of a set in one request), and whole loads (<see cref="Load"/>: creations with every member, full rewrites into a
/// temporary set swapped in), all in one batch of requests without ACKs.
/// </summary>
/// <remarks>
/// Messages (include/uapi/linux/netfilter/ipset/ip_set.h): nlmsghdr type (6 &lt;&lt; 8) | cmd,
/// nfgenmsg {family, NFNETLINK_V0, res_id 0}, then IPSET_ATTR_PROTOCOL (u8), IPSET_ATTR_SETNAME
/// (string), IPSET_ATTR_LINENO (u32) and IPSET_ATTR_ADT (nested: IPSET_ATTR_DATA, one per member) where IPSET_ATTR_DATA
/// (nested) holds IPSET_ATTR_IP (nested: IPADDR_IPV4/IPV6, network
/// order), IPSET_ATTR_CIDR (u8), IPSET_ATTR_PORT (u16, network order), IPSET_ATTR_PROTO (u8).
/// IPSET_CMD_CREATE adds IPSET_ATTR_TYPENAME, IPSET_ATTR_REVISION and IPSET_ATTR_FAMILY (u8) and
/// IPSET_ATTR_MAXELEM (u32, network order) in the data; IPSET_CMD_SWAP names the second set in
/// IPSET_ATTR_SETNAME2. The kernel wants NLA_F_NESTED on nested attributes and
/// NLA_F_NET_BYTEORDER on addresses, ports and sizes. Without NLM_F_EXCL an existing member
/// added, a missing one deleted, or a set created again with the same type and options is no
/// error (-exist). nfnetlink handles the requests of a datagram in order, so a set's creation
/// comes before its members. Not thread-safe.
/// </remarks>
public sealed class IpsetNetlink : IDisposable
{
    private const int SubsystemIpset = 6;
    private const byte CommandCreate = 2;
    private const byte CommandDestroy = 3;
    private const byte CommandFlush = 4;
    private const byte CommandSwap = 6;
    private const byte CommandAdd = 9;
    private const byte CommandDelete = 10;

    // IPSET_PROTOCOL_MIN: every kernel with protocol 7 takes 6 for these commands.
    private const byte Protocol = 6;
    private const ushort AttributeProtocol = 1;
    private const ushort AttributeSetName = 2;
    private const ushort AttributeTypeName = 3;
    private const ushort AttributeSetName2 = 3;
    private const ushort AttributeRevision = 4;
    private const ushort AttributeFamily = 5;
    private const ushort AttributeData = 7;
    private const ushort AttributeAdt = 8;
    private const ushort AttributeLineNumber = 9;
    private const ushort AttributeIp = 1;
    private const ushort AttributeCidr = 3;
    private const ushort AttributePort = 4;
    private const ushort AttributeProto = 7;
    private const ushort AttributeMaxElements = 19;
    private const ushort AttributeInterface = 23;
    private const ushort AddressIPv4 = 1;
    private const ushort AddressIPv6 = 2;
    private const ushort Nested = 0x8000;
    private const ushort NetworkOrder = 0x4000;

    // Members per add or del request: a few KiB of attributes, about what ipset restore packs in one.
    private const int MembersPerRequest = 64;

    private readonly NetlinkConnection connection;

    private IpsetNetlink(NetlinkConnection connection) => this.connection = connection;

    /// <summary>A connection to the sets of <paramref name="ns"/> (null: the calling thread's namespace).</summary>
    public static IpsetNetlink Open(NetworkNamespace? ns = null) => new(NetlinkConnection.OpenNetfilter(ns));

    /// <summary>Adds each update's added members and deletes its removed ones; the kernel's refusals come back, by member.</summary>
    public NetlinkBatchResult Write(IReadOnlyList<IpsetUpdate> updates)
    {
        ArgumentNullException.ThrowIfNull(updates);
        var requests = new List<Request>();
        foreach (var update in updates)
        {
            AddChanges(requests, update);
        }

        return connection.Send(new Batch(requests, 0));
    }

    /// <summary>
    /// Writes a plan's updates of every kind but <see cref="IpsetUpdateKind.Recreate"/>: a
    /// <see cref="IpsetUpdateKind.Create"/> is a creation with <paramref name="maxElements"/> and
    /// every member, a <see cref="IpsetUpdateKind.Swap"/> fills the temporary set
    /// <see cref="IpsetNames.TemporaryFor"/> names and swaps it in, an
    /// <see cref="IpsetUpdateKind.Incremental"/> adds, then deletes. If the kernel refuses any
    /// request, the sets this call created and its temporaries are destroyed again before it
    /// returns the refusals: no set is left half filled (member changes to sets that were already
    /// there stay; writing them again with <c>-exist</c> semantics finishes them).
    /// </summary>
    public NetlinkBatchResult Load(IReadOnlyList<IpsetUpdate> updates, string prefix, long maxElements)
    {
        ArgumentNullException.ThrowIfNull(updates);
        ArgumentException.ThrowIfNullOrEmpty(prefix);
        var creations = new List<Request>();
        var requests = new List<Request>();
        var created = new List<Request>();
        foreach (var update in updates)
        {
            var set = update.Set;
            switch (update.Kind)
            {
                case IpsetUpdateKind.Create:
                    creations.Add(new Request(CommandCreate, set, set.Name, null));
                    created.Add(new Request(CommandDestroy, set, set.Name, null));
                    AddMembers(requests, set, set.Name);
                    break;
                case IpsetUpdateKind.Incremental:
                    AddChanges(requests, update);
                    break;
                case IpsetUpdateKind.Swap when set.Members.Count == 0:
                    requests.Add(new Request(CommandFlush, set, set.Name, null));
                    break;
                case IpsetUpdateKind.Swap:
                    // A temporary left by an interrupted run may still hold members: empty it first.
                    var temporary = IpsetNames.TemporaryFor(prefix, set.Name);
                    creations.Add(new Request(CommandCreate, set, temporary, null));
                    created.Add(new Request(CommandDestroy, set, temporary, null));
                    requests.Add(new Request(CommandFlush, set, temporary, null));
                    AddMembers(requests, set, temporary);
                    requests.Add(new Request(CommandSwap, set, temporary, set.Name));
                    requests.Add(new Request(CommandDestroy, set, temporary, null));
                    break;
                default:
                    throw new ArgumentException($"{update.Kind} {set.Name}: a set of another type or family is destroyed and created by ipset restore", nameof(updates));
            }
        }

        // Creations first, on their own: were one refused (a set of that name and another type),
        // its members must not go into the set that is there.
        var result = connection.Send(new Batch(creations, maxElements));
        foreach (var refused in result.Errors.OrderByDescending(e => e.Index))
        {
            // Not ours to take back: a set of that name was there before.
            created.RemoveAt(refused.Index);
        }

        if (result.Succeeded)
        {
            result = connection.Send(new Batch(requests, maxElements));
        }

        if (!result.Succeeded && created.Count > 0)
        {
            // Nothing refers to a set this call created yet (rules come after the sets): take them back.
            connection.Send(new Batch(created, maxElements));
        }

        return result;
    }

    public void Dispose() => connection.Dispose();

    private static void AddChanges(List<Request> requests, IpsetUpdate update)
    {
        // Additions first: between the requests the set holds old and new, never less.
        AddMembers(requests, CommandAdd, update.Set, update.Set.Name, update.Added);
        AddMembers(requests, CommandDelete, update.Set, update.Set.Name, update.Removed);
    }

    private static void AddMembers(List<Request> requests, Ipset set, string name) =>
        AddMembers(requests, CommandAdd, set, name, set.Members);

    /// <summary>Up to <see cref="MembersPerRequest"/> members of one set per request, as ipset restore sends them.</summary>
    private static void AddMembers(List<Request> requests, byte command, Ipset set, string name, IEnumerable<string> members)
    {
        foreach (var chunk in members.Chunk(MembersPerRequest))
        {
            requests.Add(new Request(command, set, name, null, chunk));
        }
    }

    // The revisions ipset 7.x creates (and reads back with ipset save); an older kernel without
    // them refuses the creation, and the caller goes by ipset restore.
    private static byte Revision(IpsetType type) => type switch
    {
        IpsetType.HashIp => 6,
        IpsetType.HashNet => 7,
        IpsetType.HashIpPort => 7,
        IpsetType.HashNetIface => 8,
        _ => throw new ArgumentOutOfRangeException(nameof(type), type, null),
    };

    private static void WriteRequest(NetlinkMessageBuilder builder, Request request, long maxElements)
    {
        var set = request.Set;
        var header = builder.AppendHeader(4);
        header[0] = (byte)(set.Family == AddressFamily.InterNetwork ? 2 : 10);
        header[1] = 0;
        BinaryPrimitives.WriteUInt16BigEndian(header[2..], 0);
        builder.PutUInt8(AttributeProtocol, Protocol);
        builder.PutString(AttributeSetName, request.Name);
        switch (request.Command)
        {
            case CommandCreate:
                builder.PutString(AttributeTypeName, set.Type.KernelName());
                builder.PutUInt8(AttributeRevision, Revision(set.Type));
                builder.PutUInt8(AttributeFamily, header[0]);
                var options = builder.BeginNested(AttributeData | Nested);
                Span<byte> size = stackalloc byte[4];
                BinaryPrimitives.WriteUInt32BigEndian(size, (uint)Math.Clamp(maxElements, 1, uint.MaxValue));
                builder.PutAttribute(AttributeMaxElements | NetworkOrder, size);
                builder.EndNested(options);
                break;
            case CommandSwap:
                builder.PutString(AttributeSetName2, request.Argument!);
                break;
            case CommandAdd or CommandDelete:
                // IPSET_ATTR_ADT: a list of IPSET_ATTR_DATA, one per member, in one request; the
                // kernel takes it only with IPSET_ATTR_LINENO beside it (u32, host order).
                builder.PutUInt32(AttributeLineNumber, 0);
                var list = builder.BeginNested(AttributeAdt | Nested);
                foreach (var member in request.Members!)
                {
                    var data = builder.BeginNested(AttributeData | Nested);
                    WriteMember(builder, set.Type, member);
                    builder.EndNested(data);
                }

                builder.EndNested(list);
                break;
            default:
                break;
        }
    }

    private static void WriteMember(NetlinkMessageBuilder builder, IpsetType type, string member)
    {
        switch (type)
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
                throw new ArgumentOutOfRangeException(nameof(type), type, null);
        }
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

    /// <param name="Name">The kernel set the request is for (the set's own name or its temporary).</param>
    /// <param name="Argument">The second set (swap).</param>
    /// <param name="Members">The members (add, del).</param>
    private sealed record Request(byte Command, Ipset Set, string Name, string? Argument, IReadOnlyList<string>? Members = null);

    private sealed class Batch(List<Request> requests, long maxElements) : NetlinkBatch
    {
        public override int Count => requests.Count;

        protected internal override void Write(NetlinkMessageBuilder builder, int index, uint sequence)
        {
            var request = requests[index];
            builder.BeginMessage((NetlinkMessageType)((SubsystemIpset << 8) | request.Command), NetlinkMessageFlags.Request, sequence);
            WriteRequest(builder, request, maxElements);
            builder.EndMessage();
        }

        private static string Members(IReadOnlyList<string> members) =>
            members.Count == 1 ? members[0] : $"{members[0]} (and {members.Count - 1} more members in one request)";

        protected internal override string Describe(int index)
        {
            var request = requests[index];
            return request.Command switch
            {
                CommandCreate => $"ipset create {request.Name} {request.Set.Type.KernelName()} family {request.Set.FamilyName} maxelem {maxElements}",
                CommandDestroy => $"ipset destroy {request.Name}",
                CommandFlush => $"ipset flush {request.Name}",
                CommandSwap => $"ipset swap {request.Name} {request.Argument}",
                CommandAdd => $"ipset add {request.Name} {Members(request.Members!)}",
                _ => $"ipset del {request.Name} {Members(request.Members!)}",
            };
        }
    }
}
