using System.Buffers.Binary;
using System.Net;
using System.Net.NetworkInformation;
using Routing.Dataplane.Netlink;

namespace Routing.Dataplane.Links;

/// <summary>
/// RTM_NEWLINK / RTM_DELLINK / RTM_GETLINK bodies.
/// <code>
/// struct ifinfomsg {               // linux/rtnetlink.h
///     unsigned char  ifi_family;   // AF_UNSPEC
///     unsigned char  __ifi_pad;
///     unsigned short ifi_type;     // ARPHRD_*
///     int            ifi_index;
///     unsigned       ifi_flags;    // IFF_*
///     unsigned       ifi_change;   // which ifi_flags bits to change
/// };                               // then IFLA_* attributes
/// </code>
/// A new device's kind and settings nest as IFLA_LINKINFO { IFLA_INFO_KIND, IFLA_INFO_DATA { … } };
/// a veth's peer is VETH_INFO_PEER inside the data: an ifinfomsg and attributes of its own.
/// </summary>
public static class LinkMessage
{
    public const int HeaderLength = 16;
    public const uint FlagUp = 1; // IFF_UP

    public const ushort Address = 1;         // IFLA_ADDRESS
    public const ushort Name = 3;            // IFLA_IFNAME
    public const ushort Mtu = 4;             // IFLA_MTU
    public const ushort ParentLink = 5;      // IFLA_LINK
    public const ushort Master = 10;         // IFLA_MASTER
    public const ushort OperationalState = 16; // IFLA_OPERSTATE
    public const ushort LinkInfo = 18;       // IFLA_LINKINFO
    public const ushort NamespaceFd = 28;    // IFLA_NET_NS_FD

    public const ushort InfoKind = 1;        // IFLA_INFO_KIND
    public const ushort InfoData = 2;        // IFLA_INFO_DATA
    public const ushort VethPeer = 1;        // VETH_INFO_PEER

    public const ushort VxlanId = 1;         // IFLA_VXLAN_ID
    public const ushort VxlanLink = 3;       // IFLA_VXLAN_LINK
    public const ushort VxlanLocal = 4;      // IFLA_VXLAN_LOCAL
    public const ushort VxlanLearning = 7;   // IFLA_VXLAN_LEARNING
    public const ushort VxlanPort = 15;      // IFLA_VXLAN_PORT (network byte order)
    public const ushort VxlanLocal6 = 17;    // IFLA_VXLAN_LOCAL6

    public const ushort TunnelLink = 1;      // IFLA_IPTUN_LINK
    public const ushort TunnelLocal = 2;     // IFLA_IPTUN_LOCAL
    public const ushort TunnelRemote = 3;    // IFLA_IPTUN_REMOTE
    public const ushort TunnelTtl = 4;       // IFLA_IPTUN_TTL
    public const ushort TunnelPmtuDiscovery = 10; // IFLA_IPTUN_PMTUDISC

    /// <summary>An ifinfomsg for an existing device, changing the <paramref name="change"/> bits of its flags to <paramref name="flags"/>.</summary>
    public static void WriteHeader(NetlinkMessageBuilder builder, int index, uint flags = 0, uint change = 0)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var header = builder.AppendHeader(HeaderLength);
        BinaryPrimitives.WriteInt32LittleEndian(header[4..], index);
        BinaryPrimitives.WriteUInt32LittleEndian(header[8..], flags);
        BinaryPrimitives.WriteUInt32LittleEndian(header[12..], change);
    }

    /// <summary>The body of RTM_NEWLINK (CREATE|EXCL) for <paramref name="spec"/>.</summary>
    public static void WriteCreate(NetlinkMessageBuilder builder, LinkSpec spec)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(spec);
        WriteHeader(builder, 0);
        WriteCommon(builder, spec.Name, spec.Mtu, spec.Address, spec.Namespace?.Descriptor);
        var info = builder.BeginNested(LinkInfo);
        builder.PutString(InfoKind, spec.Kind, terminate: false);
        switch (spec)
        {
            case VethSpec veth:
                var data = builder.BeginNested(InfoData);
                var peer = builder.BeginNested(VethPeer);
                WriteHeader(builder, 0);
                WriteCommon(builder, veth.PeerName, veth.PeerMtu, veth.PeerAddress, veth.PeerNamespace?.Descriptor);
                builder.EndNested(peer);
                builder.EndNested(data);
                break;
            case VxlanSpec vxlan:
                WriteVxlan(builder, vxlan);
                break;
            case IpipSpec ipip:
                WriteIpip(builder, ipip);
                break;
        }

        builder.EndNested(info);
    }

    /// <summary>Reads an RTM_NEWLINK / RTM_DELLINK.</summary>
    public static Link Read(ReadOnlySpan<byte> payload)
    {
        if (payload.Length < HeaderLength)
        {
            throw new NetlinkProtocolException($"an ifinfomsg of {payload.Length} bytes");
        }

        var index = BinaryPrimitives.ReadInt32LittleEndian(payload[4..]);
        var flags = BinaryPrimitives.ReadUInt32LittleEndian(payload[8..]);
        string name = string.Empty;
        string? kind = null;
        int mtu = 0, master = 0, parent = 0;
        byte state = 0;
        PhysicalAddress? address = null;
        VxlanAttributes? vxlan = null;
        var attributes = new NetlinkAttributeReader(payload[HeaderLength..]);
        while (attributes.TryRead(out var type, out var value))
        {
            switch (type)
            {
                case Name:
                    name = NetlinkAttributeReader.ReadString(value);
                    break;
                case Mtu:
                    mtu = (int)NetlinkAttributeReader.ReadUInt32(value);
                    break;
                case Address:
                    address = new PhysicalAddress(value.ToArray());
                    break;
                case Master:
                    master = (int)NetlinkAttributeReader.ReadUInt32(value);
                    break;
                case ParentLink:
                    parent = (int)NetlinkAttributeReader.ReadUInt32(value);
                    break;
                case OperationalState:
                    state = NetlinkAttributeReader.ReadByte(value);
                    break;
                case LinkInfo:
                    (kind, vxlan) = ReadInfo(value);
                    break;
            }
        }

        return new Link
        {
            Index = index,
            Name = name,
            Kind = kind,
            Flags = flags,
            Mtu = mtu,
            Address = address,
            MasterIndex = master,
            ParentIndex = parent,
            OperationalState = state,
            Vxlan = vxlan,
        };
    }

    private static void WriteCommon(NetlinkMessageBuilder builder, string name, int? mtu, PhysicalAddress? address, int? namespaceFd)
    {
        if (string.IsNullOrEmpty(name) || name.Length > 15 || name.Contains('/', StringComparison.Ordinal) || name.Any(char.IsWhiteSpace))
        {
            throw new ArgumentException($"'{name}' is not a valid interface name (1-15 characters, no '/' or spaces)", nameof(name));
        }

        builder.PutString(Name, name);
        if (mtu is { } m)
        {
            builder.PutUInt32(Mtu, (uint)m);
        }

        if (address is not null)
        {
            builder.PutAttribute(Address, address.GetAddressBytes());
        }

        if (namespaceFd is { } fd)
        {
            builder.PutUInt32(NamespaceFd, (uint)fd);
        }
    }

    // Attribute order as iproute2's (link, id, local, learning, port), so captured requests compare byte for byte.
    private static void WriteVxlan(NetlinkMessageBuilder builder, VxlanSpec vxlan)
    {
        if (vxlan.Vni > 0xFFFFFF)
        {
            throw new ArgumentException($"VXLAN {vxlan.Name}: VNI {vxlan.Vni} does not fit 24 bits (RFC 7348 §5)", nameof(vxlan));
        }

        var data = builder.BeginNested(InfoData);
        if (vxlan.ParentIndex != 0)
        {
            builder.PutUInt32(VxlanLink, (uint)vxlan.ParentIndex);
        }

        builder.PutUInt32(VxlanId, vxlan.Vni);
        if (vxlan.Local is not null)
        {
            builder.PutAddress(vxlan.Local.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6 ? VxlanLocal6 : VxlanLocal, vxlan.Local);
        }

        builder.PutUInt8(VxlanLearning, vxlan.Learning ? (byte)1 : (byte)0);
        builder.PutUInt16BigEndian(VxlanPort, vxlan.Port);
        builder.EndNested(data);
    }

    private static void WriteIpip(NetlinkMessageBuilder builder, IpipSpec ipip)
    {
        // A bare tunl0-style device carries no data at all, exactly as `ip link add NAME type ipip` sends it.
        if (ipip.Local is null && ipip.Remote is null && ipip.ParentIndex == 0 && ipip.Ttl == 0 && ipip.PathMtuDiscovery)
        {
            return;
        }

        var data = builder.BeginNested(InfoData);
        if (ipip.ParentIndex != 0)
        {
            builder.PutUInt32(TunnelLink, (uint)ipip.ParentIndex);
        }

        builder.PutAddress(TunnelLocal, ipip.Local ?? IPAddress.Any);
        builder.PutAddress(TunnelRemote, ipip.Remote ?? IPAddress.Any);
        builder.PutUInt8(TunnelTtl, ipip.Ttl);
        builder.PutUInt8(TunnelPmtuDiscovery, ipip.PathMtuDiscovery ? (byte)1 : (byte)0);
        builder.EndNested(data);
    }

    private static (string? Kind, VxlanAttributes? Vxlan) ReadInfo(ReadOnlySpan<byte> value)
    {
        string? kind = null;
        ReadOnlySpan<byte> data = default;
        var attributes = new NetlinkAttributeReader(value);
        while (attributes.TryRead(out var type, out var attribute))
        {
            if (type == InfoKind)
            {
                kind = NetlinkAttributeReader.ReadString(attribute);
            }
            else if (type == InfoData)
            {
                data = attribute;
            }
        }

        return (kind, kind == "vxlan" && !data.IsEmpty ? ReadVxlan(data) : null);
    }

    private static VxlanAttributes ReadVxlan(ReadOnlySpan<byte> data)
    {
        uint vni = 0;
        IPAddress? local = null;
        ushort port = 0;
        var learning = false;
        var parent = 0;
        var attributes = new NetlinkAttributeReader(data);
        while (attributes.TryRead(out var type, out var value))
        {
            switch (type)
            {
                case VxlanId:
                    vni = NetlinkAttributeReader.ReadUInt32(value);
                    break;
                case VxlanLocal or VxlanLocal6:
                    local = NetlinkAttributeReader.ReadAddress(value);
                    break;
                case VxlanPort:
                    port = value.Length >= 2 ? BinaryPrimitives.ReadUInt16BigEndian(value) : (ushort)0;
                    break;
                case VxlanLearning:
                    learning = NetlinkAttributeReader.ReadByte(value) != 0;
                    break;
                case VxlanLink:
                    parent = (int)NetlinkAttributeReader.ReadUInt32(value);
                    break;
            }
        }

        return new VxlanAttributes(vni, local, port, learning, parent);
    }
}
