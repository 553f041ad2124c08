using System.Net;
using Routing.Policy.Model;

namespace Routing.Policy.Evaluation;

/// <summary>One end of a connection: a pod (with the address used) or a bare address outside the cluster's pods.</summary>
public sealed record TrafficPeer(IPAddress Address, Endpoint? Endpoint)
{
    public static TrafficPeer Of(Endpoint endpoint)
    {
        ArgumentNullException.ThrowIfNull(endpoint);
        return new TrafficPeer(endpoint.Addresses.Count > 0 ? endpoint.Addresses[0] : IPAddress.None, endpoint);
    }

    public static TrafficPeer Of(IPAddress address) => new(address, null);

    public override string ToString() => Endpoint?.Key ?? Address.ToString();
}
