using System.Net;

namespace Routing.Agent.Resources;

/// <summary>How a BGPPeer's <c>sourceAddress</c> chooses the local address of the session.</summary>
public enum SourceAddressMode
{
    /// <summary>Connect from the node's own address for the peer's family (Calico's default).</summary>
    UseNodeIP,

    /// <summary>Let the kernel choose the source address.</summary>
    None,

    /// <summary>Connect from <see cref="SourceAddress.Address"/>.</summary>
    Address,
}

/// <summary>A BGPPeer's <c>sourceAddress</c>: Calico's <c>UseNodeIP</c> or <c>None</c>, or an explicit address.</summary>
public sealed record SourceAddress
{
    private SourceAddress(SourceAddressMode mode, IPAddress? address)
    {
        Mode = mode;
        Address = address;
    }

    public static SourceAddress UseNodeIP { get; } = new(SourceAddressMode.UseNodeIP, null);

    public static SourceAddress None { get; } = new(SourceAddressMode.None, null);

    public SourceAddressMode Mode { get; }

    /// <summary>The address when <see cref="Mode"/> is <see cref="SourceAddressMode.Address"/>.</summary>
    public IPAddress? Address { get; }

    public static SourceAddress FromAddress(IPAddress address)
    {
        ArgumentNullException.ThrowIfNull(address);
        return new(SourceAddressMode.Address, address);
    }

    public override string ToString() => Mode switch
    {
        SourceAddressMode.Address => Address!.ToString(),
        _ => Mode.ToString(),
    };
}
