using System.Collections.Immutable;
using System.Net;
using Routing.Bgp.Rib;
using Routing.Bgp.Wire;

namespace Routing.Bgp.Sessions;

/// <summary>Route reflection (RFC 4456): which peers are clients, and telling iBGP peers when best paths change.</summary>
public sealed partial class Speaker
{
    private readonly Lock reflectionGate = new();
    private volatile ImmutableHashSet<IPAddress> reflectorClients = [];
    private IDisposable? bestPathSubscription;

    /// <summary>The cluster ID this speaker reflects with, or null when it is not a route reflector.</summary>
    public uint? ReflectorClusterId => Config.ClusterIdValue ?? (reflectorClients.IsEmpty ? null : Config.RouterIdValue);

    uint? IPeerHost.ReflectorClusterId => ReflectorClusterId;

    bool IPeerHost.IsReflectorClient(IPAddress peer) => reflectorClients.Contains(peer);

    IEnumerable<Route> IPeerHost.BestRoutes(AfiSafi family) => LocRib.Snapshot(family).Select(entry => entry.Best);

    Route? IPeerHost.BestRoute(Prefix prefix) => LocRib.Lookup(prefix)?.Best;

    /// <summary>Records whether a peer is a client; when the set changes, every peer recomputes what it is sent.</summary>
    private void TrackClient(IPAddress peer, bool client)
    {
        lock (reflectionGate)
        {
            var next = client ? reflectorClients.Add(peer) : reflectorClients.Remove(peer);
            if (ReferenceEquals(next, reflectorClients))
            {
                return;
            }

            reflectorClients = next;

            // Best-path changes are only followed while reflecting: a plain Calico node never passes learned routes on.
            if (ReflectorClusterId is not null)
            {
                bestPathSubscription ??= LocRib.Subscribe(OnBestPathsChanged);
            }
            else
            {
                bestPathSubscription?.Dispose();
                bestPathSubscription = null;
            }
        }

        foreach (var other in peers.Values)
        {
            other.OriginatedChanged();
        }
    }

    /// <summary>Starts following best paths when the configuration alone makes this speaker a reflector.</summary>
    private void FollowBestPathsIfReflector()
    {
        lock (reflectionGate)
        {
            if (Config.ClusterId is not null)
            {
                bestPathSubscription ??= LocRib.Subscribe(OnBestPathsChanged);
            }
        }
    }

    // Called under the Loc-RIB's lock: hand the prefixes to the iBGP peers' loops and return.
    private void OnBestPathsChanged(IReadOnlyList<BestRouteChange> changes)
    {
        Prefix[]? prefixes = null;
        foreach (var peer in peers.Values)
        {
            if (!peer.IsExternal)
            {
                // Only the best is reflected: a change of the equal paths alone is none of the clients' concern.
                prefixes ??= changes.Where(c => c.BestChanged).Select(c => c.Prefix).ToArray();
                peer.BestPathsChanged(prefixes);
            }
        }
    }
}
