using System.Net.NetworkInformation;
using Routing.Dataplane.Namespaces;
using Routing.Dataplane.Native;
using Routing.Dataplane.Netlink;

namespace Routing.Dataplane.Links;

/// <summary>Network devices in one namespace: list, look up, create (veth, bridge, VXLAN, IPIP), change, delete.</summary>
public sealed class LinkOperations
{
    private readonly NetlinkConnection connection;

    internal LinkOperations(NetlinkConnection connection) => this.connection = connection;

    public List<Link> List() =>
        connection.Dump(
            NetlinkMessageType.GetLink,
            "list links",
            b => LinkMessage.WriteHeader(b, 0),
            (in NetlinkMessage m, out Link link) =>
            {
                link = LinkMessage.Read(m.Payload);
                return true;
            });

    /// <summary>The device named <paramref name="name"/>, or null if there is none.</summary>
    public Link? Get(string name)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        return Get($"get link {name}", b =>
        {
            LinkMessage.WriteHeader(b, 0);
            b.PutString(LinkMessage.Name, name);
        });
    }

    public Link? Get(int index) => Get($"get link {index}", b => LinkMessage.WriteHeader(b, index));

    /// <summary>The index of the device named <paramref name="name"/>; throws if there is none.</summary>
    public int IndexOf(string name) =>
        Get(name)?.Index ?? throw new NetlinkException($"get link {name}", Errno.ENODEV);

    /// <summary>Creates a device; returns it as the kernel made it, or null when it went to another namespace.</summary>
    public Link? Create(LinkSpec spec)
    {
        ArgumentNullException.ThrowIfNull(spec);
        try
        {
            connection.Execute(
                NetlinkMessageType.NewLink,
                NetlinkMessageFlags.Create | NetlinkMessageFlags.Exclusive,
                $"create {spec.Kind} link {spec.Name}",
                b => LinkMessage.WriteCreate(b, spec));
        }
        catch (NetlinkException e) when (spec.Kind is "ipip" or "vxlan" && KernelFeatures.IsMissingKind(e))
        {
            // Tunnel kinds live in modules a kernel may lack: say which, and what to use instead.
            throw new KernelFeatureMissingException(spec.Kind, KernelFeatures.AlternativeTo(spec.Kind), e);
        }

        return spec.Namespace is null ? Get(spec.Name) : null;
    }

    public void SetUp(int index) => Set(index, "up", b => LinkMessage.WriteHeader(b, index, LinkMessage.FlagUp, LinkMessage.FlagUp));

    public void SetDown(int index) => Set(index, "down", b => LinkMessage.WriteHeader(b, index, 0, LinkMessage.FlagUp));

    public void SetMtu(int index, int mtu) => Set(index, $"mtu {mtu}", b =>
    {
        LinkMessage.WriteHeader(b, index);
        b.PutUInt32(LinkMessage.Mtu, (uint)mtu);
    });

    public void SetAddress(int index, PhysicalAddress address)
    {
        ArgumentNullException.ThrowIfNull(address);
        Set(index, $"address {address}", b =>
        {
            LinkMessage.WriteHeader(b, index);
            b.PutAttribute(LinkMessage.Address, address.GetAddressBytes());
        });
    }

    public void Rename(int index, string name) => Set(index, $"name {name}", b =>
    {
        LinkMessage.WriteHeader(b, index);
        b.PutString(LinkMessage.Name, name);
    });

    /// <summary>Moves the device into <paramref name="ns"/>; it leaves this namespace (and gets a new index there).</summary>
    public void MoveTo(int index, NetworkNamespace ns)
    {
        ArgumentNullException.ThrowIfNull(ns);
        Set(index, $"netns {ns.Path}", b =>
        {
            LinkMessage.WriteHeader(b, index);
            b.PutUInt32(LinkMessage.NamespaceFd, (uint)ns.Descriptor);
        });
    }

    /// <summary>Enslaves the device to a bridge; 0 releases it.</summary>
    public void SetMaster(int index, int masterIndex) => Set(index, masterIndex == 0 ? "nomaster" : $"master {masterIndex}", b =>
    {
        LinkMessage.WriteHeader(b, index);
        b.PutUInt32(LinkMessage.Master, (uint)masterIndex);
    });

    public void Delete(int index) =>
        connection.Execute(NetlinkMessageType.DeleteLink, NetlinkMessageFlags.None, $"delete link {index}", b => LinkMessage.WriteHeader(b, index));

    private void Set(int index, string what, NetlinkConnection.MessageBody body) =>
        connection.Execute(NetlinkMessageType.NewLink, NetlinkMessageFlags.None, $"set link {index} {what}", body);

    private Link? Get(string what, NetlinkConnection.MessageBody body)
    {
        try
        {
            return connection.Execute(
                NetlinkMessageType.GetLink,
                NetlinkMessageFlags.None,
                what,
                body,
                (in NetlinkMessage m, out Link link) =>
                {
                    link = LinkMessage.Read(m.Payload);
                    return m.Type == NetlinkMessageType.NewLink;
                },
                out _);
        }
        catch (NetlinkException e) when (e.Errno == Errno.ENODEV)
        {
            return null;
        }
    }
}
