using System.Net;
using System.Net.Sockets;
using Apipb;
using Google.Protobuf.WellKnownTypes;

namespace Routing.TestKit.GoBgp;

/// <summary>A path as a test reads it from gobgpd: prefix, next hop, AS path and the common attributes.</summary>
public sealed record GoBgpPath(string Prefix, string? NextHop, IReadOnlyList<uint> AsPath, uint? LocalPref, uint? Med, IReadOnlyList<uint> Communities, bool Best);

/// <summary>Building and reading gobgpd's <c>Path</c> messages (attributes travel as <c>google.protobuf.Any</c>).</summary>
public static class GoBgpPaths
{
    /// <summary>A path gobgpd originates: ORIGIN IGP, the next hop, optional MED, communities and LOCAL_PREF.</summary>
    public static Apipb.Path Originate(string prefix, string nextHop, uint? med = null, IEnumerable<uint>? communities = null, uint? localPref = null)
    {
        ArgumentNullException.ThrowIfNull(prefix);
        var slash = prefix.IndexOf('/', StringComparison.Ordinal);
        var address = IPAddress.Parse(prefix[..slash]);
        var nlri = Any.Pack(new IPAddressPrefix { Prefix = address.ToString(), PrefixLen = uint.Parse(prefix[(slash + 1)..], System.Globalization.CultureInfo.InvariantCulture) });
        var ipv6 = address.AddressFamily == AddressFamily.InterNetworkV6;
        var family = ipv6 ? GoBgpClient.Ipv6Unicast : GoBgpClient.Ipv4Unicast;
        var path = new Apipb.Path { Nlri = nlri, Family = family };
        path.Pattrs.Add(Any.Pack(new OriginAttribute { Origin = 0 }));
        if (ipv6)
        {
            var reach = new MpReachNLRIAttribute { Family = family };
            reach.NextHops.Add(nextHop);
            reach.Nlris.Add(nlri);
            path.Pattrs.Add(Any.Pack(reach));
        }
        else
        {
            path.Pattrs.Add(Any.Pack(new NextHopAttribute { NextHop = nextHop }));
        }

        if (med is { } m)
        {
            path.Pattrs.Add(Any.Pack(new MultiExitDiscAttribute { Med = m }));
        }

        if (localPref is { } lp)
        {
            path.Pattrs.Add(Any.Pack(new LocalPrefAttribute { LocalPref = lp }));
        }

        if (communities is not null)
        {
            var attribute = new CommunitiesAttribute();
            attribute.Communities.AddRange(communities);
            path.Pattrs.Add(Any.Pack(attribute));
        }

        return path;
    }

    public static GoBgpPath Read(Destination destination, Apipb.Path path)
    {
        ArgumentNullException.ThrowIfNull(destination);
        ArgumentNullException.ThrowIfNull(path);
        string? nextHop = null;
        List<uint> asPath = [];
        List<uint> communities = [];
        uint? localPref = null;
        uint? med = null;
        foreach (var attribute in path.Pattrs)
        {
            if (attribute.TryUnpack<NextHopAttribute>(out var nh))
            {
                nextHop = nh.NextHop;
            }
            else if (attribute.TryUnpack<MpReachNLRIAttribute>(out var reach) && reach.NextHops.Count > 0)
            {
                nextHop = reach.NextHops[0];
            }
            else if (attribute.TryUnpack<AsPathAttribute>(out var asPathAttribute))
            {
                asPath.AddRange(asPathAttribute.Segments.SelectMany(s => s.Numbers));
            }
            else if (attribute.TryUnpack<LocalPrefAttribute>(out var lp))
            {
                localPref = lp.LocalPref;
            }
            else if (attribute.TryUnpack<MultiExitDiscAttribute>(out var m))
            {
                med = m.Med;
            }
            else if (attribute.TryUnpack<CommunitiesAttribute>(out var c))
            {
                communities.AddRange(c.Communities);
            }
        }

        return new GoBgpPath(destination.Prefix, nextHop, asPath, localPref, med, communities, path.Best);
    }
}
