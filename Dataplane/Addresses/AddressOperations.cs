using System.Net.Sockets;
using Routing.Dataplane.Netlink;

namespace Routing.Dataplane.Addresses;

/// <summary>Interface addresses in one namespace.</summary>
public sealed class AddressOperations
{
    private readonly NetlinkConnection connection;

    internal AddressOperations(NetlinkConnection connection) => this.connection = connection;

    public void Add(InterfaceAddress address) =>
        connection.Execute(NetlinkMessageType.NewAddress, NetlinkMessageFlags.Create | NetlinkMessageFlags.Exclusive, $"add address {address}", b => AddressMessage.WriteBody(b, address));

    /// <summary>Adds the address or updates its flags and scope if present.</summary>
    public void Replace(InterfaceAddress address) =>
        connection.Execute(NetlinkMessageType.NewAddress, NetlinkMessageFlags.Create | NetlinkMessageFlags.Replace, $"replace address {address}", b => AddressMessage.WriteBody(b, address));

    public void Delete(InterfaceAddress address) =>
        connection.Execute(NetlinkMessageType.DeleteAddress, NetlinkMessageFlags.None, $"delete address {address}", b => AddressMessage.WriteBody(b, address));

    /// <summary>The addresses of a family (null: both), on one interface (0: all).</summary>
    public List<InterfaceAddress> List(AddressFamily? family = null, int interfaceIndex = 0)
    {
        var addresses = connection.Dump(
            NetlinkMessageType.GetAddress,
            "list addresses",
            b => AddressMessage.WriteDumpRequest(b, family switch { AddressFamily.InterNetwork => 2, AddressFamily.InterNetworkV6 => 10, _ => 0 }),
            (in NetlinkMessage m, out InterfaceAddress a) =>
            {
                a = AddressMessage.Read(m.Payload);
                return true;
            });
        addresses.RemoveAll(a => (interfaceIndex != 0 && a.InterfaceIndex != interfaceIndex) || (family is { } f && a.Address.AddressFamily != f));
        return addresses;
    }
}
