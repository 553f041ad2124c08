using System.Net;

namespace Routing.Bgp.Rib;

/// <summary>Where a route came from: a BGP peer (its address, router ID, AS, eBGP or iBGP), or this speaker itself.</summary>
public sealed record RouteSource(IPAddress PeerAddress, uint PeerRouterId, uint PeerAs, bool IsExternal)
{
    /// <summary>Routes this speaker originates (its blocks, static advertisements).</summary>
    public static RouteSource Local { get; } = new(IPAddress.Any, 0, 0, false);

    public bool IsLocal => ReferenceEquals(this, Local);

    public override string ToString() => IsLocal ? "local" : $"{PeerAddress} (AS {PeerAs}, {(IsExternal ? "eBGP" : "iBGP")})";
}
