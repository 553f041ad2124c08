using System.Collections.Immutable;
using System.Net;
using Routing.Ipam.Addresses;
using Routing.Ipam.Store;

namespace Routing.Ipam.Reservations;

/// <summary>Addresses kept out of automatic allocation (the resource's <c>reservedCIDRs</c>: CIDRs or single addresses).</summary>
public sealed record IPReservation(string Name, ImmutableArray<IPNetwork> ReservedCidrs) : IIpamRecord
{
    /// <summary>Parses the reserved CIDRs; throws <see cref="FormatException"/> naming the entry that is not one.</summary>
    public static IPReservation Parse(string name, IEnumerable<string> reservedCidrs)
    {
        ArgumentNullException.ThrowIfNull(reservedCidrs);
        var networks = ImmutableArray.CreateBuilder<IPNetwork>();
        var i = 0;
        foreach (var text in reservedCidrs)
        {
            if (!BlockCidr.TryParse(text, out var network))
            {
                throw new FormatException($"IPReservation {name}: spec.reservedCIDRs[{i}] '{text}' is not an address or a CIDR with no host bits set.");
            }

            networks.Add(network);
            i++;
        }

        return new IPReservation(name, networks.ToImmutable());
    }

    public bool Contains(IPAddress address)
    {
        foreach (var network in ReservedCidrs)
        {
            if (network.Contains(address))
            {
                return true;
            }
        }

        return false;
    }

    public bool Equals(IPReservation? other) =>
        other is not null && Name == other.Name && ReservedCidrs.SequenceEqual(other.ReservedCidrs);

    public override int GetHashCode() => HashCode.Combine(Name, ReservedCidrs.Length);
}
