using Routing.Dataplane.Netlink;

namespace Routing.Dataplane.Neighbours;

/// <summary>ARP/NDP entries and bridge/VXLAN forwarding entries in one namespace.</summary>
public sealed class NeighbourOperations
{
    private readonly NetlinkConnection connection;

    internal NeighbourOperations(NetlinkConnection connection) => this.connection = connection;

    public void Add(Neighbour neighbour) => Change(NetlinkMessageType.NewNeighbour, NetlinkMessageFlags.Create | NetlinkMessageFlags.Exclusive, "add", neighbour);

    public void Replace(Neighbour neighbour) => Change(NetlinkMessageType.NewNeighbour, NetlinkMessageFlags.Create | NetlinkMessageFlags.Replace, "replace", neighbour);

    /// <summary>Adds another entry for the same MAC (bridge fdb append): several remote VTEPs for the all-zero MAC flood BUM traffic to each.</summary>
    public void Append(Neighbour neighbour) => Change(NetlinkMessageType.NewNeighbour, NetlinkMessageFlags.Create | NetlinkMessageFlags.Append, "append", neighbour);

    public void Delete(Neighbour neighbour) => Change(NetlinkMessageType.DeleteNeighbour, NetlinkMessageFlags.None, "delete", neighbour);

    /// <summary>ARP/NDP entries (<paramref name="forwardingEntries"/> false) or FDB entries, optionally of one device.</summary>
    public List<Neighbour> List(bool forwardingEntries = false, int interfaceIndex = 0)
    {
        var entries = connection.Dump(
            NetlinkMessageType.GetNeighbour,
            forwardingEntries ? "list forwarding entries" : "list neighbours",
            b => NeighbourMessage.WriteDumpRequest(b, forwardingEntries ? (byte)7 : (byte)0),
            (in NetlinkMessage m, out Neighbour n) => NeighbourMessage.TryRead(m.Payload, out n));
        entries.RemoveAll(n => n.IsForwardingEntry != forwardingEntries || (interfaceIndex != 0 && n.InterfaceIndex != interfaceIndex));
        return entries;
    }

    private void Change(NetlinkMessageType type, NetlinkMessageFlags flags, string verb, Neighbour neighbour)
    {
        ArgumentNullException.ThrowIfNull(neighbour);
        connection.Execute(type, flags, $"{verb} {neighbour}", b => NeighbourMessage.WriteBody(b, neighbour));
    }
}
