using Routing.Agent.Api.V1;
using Routing.Agent.Health;
using Routing.Agent.Ipam;
using Routing.Agent.Peering;
using Routing.Bgp.Rib;
using Routing.Bgp.Wire;
using Routing.Bgp.Wire.Attributes;

namespace Routing.Agent.Api;

/// <summary>The handlers of the agent's API: read-only views of the running speaker.</summary>
public sealed class AgentApi(BgpService bgp, IpamService? ipam = null, AgentHealth? health = null)
{
    /// <summary>The IPAM calls, or UNAVAILABLE when this agent serves no IPAM.</summary>
    public IpamService Ipam => ipam ?? throw new ApiException(14, "this agent serves no IPAM (no datastore for it)");

    public Task<GetBgpStatusResponse> GetBgpStatusAsync(GetBgpStatusRequest request, CancellationToken cancellationToken)
    {
        var response = new GetBgpStatusResponse { Node = bgp.NodeName, StartedUnixMs = bgp.Started.ToUnixTimeMilliseconds() };
        if (health is not null)
        {
            response.Health.AddRange(health.Readiness().Select(p => new HealthPart { Name = p.Name, Ready = p.Condition.Ready, Detail = p.Condition.Detail }));
        }

        if (bgp.Speaker is { } speaker)
        {
            response.LocalAs = speaker.Config.Asn;
            response.RouterId = speaker.Config.RouterId.ToString();
            response.LocRibPrefixes = (uint)speaker.LocRib.Count;
            foreach (var peer in speaker.Peers)
            {
                var status = peer.Status;
                var planned = bgp.Describe(peer.Address);
                var item = new BgpPeer
                {
                    Address = status.PeerAddress.ToString(),
                    PeerAs = status.PeerAs,
                    Type = planned?.Type ?? string.Empty,
                    Name = planned?.Name ?? status.Description ?? string.Empty,
                    State = status.State.ToString(),
                    SinceUnixMs = status.Since.ToUnixTimeMilliseconds(),
                    LastError = status.LastError ?? string.Empty,
                    LastTransitionReason = status.LastTransitionReason?.ToString() ?? string.Empty,
                    HoldTime = status.NegotiatedHoldTime,
                    PrefixesReceived = (uint)status.PrefixesReceived,
                    PrefixesAccepted = (uint)status.PrefixesAccepted,
                    PrefixesAdvertised = (uint)status.PrefixesAdvertised,
                    RemoteRouterId = status.RemoteRouterId?.ToString() ?? string.Empty,
                    EstablishedTransitions = (uint)status.EstablishedTransitions,
                    External = status.IsExternal,
                };
                item.Families.AddRange(status.Families.Select(f => f.ToString()));
                response.Peers.Add(item);
            }
        }

        return Task.FromResult(response);
    }

    public Task<ListBgpRoutesResponse> ListBgpRoutesAsync(ListBgpRoutesRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        Prefix? within = null;
        if (request.Prefix.Length > 0)
        {
            within = Prefix.TryParse(request.Prefix, out var parsed)
                ? parsed
                : throw new ApiException(3, $"prefix: '{request.Prefix}' is not a prefix (expected e.g. 10.0.0.0/8)");
        }

        System.Net.IPAddress? peer = null;
        if (request.Peer.Length > 0 && !System.Net.IPAddress.TryParse(request.Peer, out peer))
        {
            throw new ApiException(3, $"peer: '{request.Peer}' is not an IP address");
        }

        var response = new ListBgpRoutesResponse();
        if (bgp.Speaker is not { } speaker)
        {
            return Task.FromResult(response);
        }

        foreach (var entry in speaker.LocRib.Snapshot(within: within))
        {
            if (peer is not null && !entry.Best.Source.PeerAddress.Equals(peer) && !entry.Alternatives.Any(a => a.Source.PeerAddress.Equals(peer)))
            {
                continue;
            }

            var route = new BgpRoute { Prefix = entry.Prefix.ToString(), Best = ToPath(entry.Best), Reason = entry.Reason.ToString() };
            route.Alternatives.AddRange(entry.Alternatives.Select(ToPath));
            response.Routes.Add(route);
        }

        return Task.FromResult(response);
    }

    private static BgpPath ToPath(Route route)
    {
        var attributes = route.Attributes;
        var path = new BgpPath
        {
            NextHop = route.Source.IsLocal ? string.Empty : route.NextHop.ToString(),
            Source = route.Source.IsLocal ? "local" : route.Source.PeerAddress.ToString(),
            PeerAs = route.Source.PeerAs,
            External = route.Source.IsExternal,
            AsPath = attributes.AsPath.ToString(),
            Origin = attributes.Origin.ToString().ToUpperInvariant(),
        };
        if (attributes.LocalPref is { } localPref)
        {
            path.LocalPref = localPref;
        }

        if (attributes.MultiExitDisc is { } med)
        {
            path.Med = med;
        }

        path.Communities.AddRange(attributes.Communities.Select(Community.Format));
        path.LargeCommunities.AddRange(attributes.LargeCommunities.Select(c => c.ToString()));
        return path;
    }
}

/// <summary>A request the API refuses, with its gRPC status (3 = INVALID_ARGUMENT) and a message naming the field.</summary>
public sealed class ApiException(int status, string message) : Exception(message)
{
    public int Status { get; } = status;
}
