using System.Net;
using Routing.Bgp.Wire;
using Routing.Bgp.Wire.Attributes;

namespace Routing.Bgp.Rib;

/// <summary>
/// A path to a prefix: its attributes (shared between the routes of one UPDATE), its next hop,
/// and where it came from. Immutable.
/// </summary>
public sealed record Route(Prefix Prefix, PathAttributes Attributes, IPAddress NextHop, RouteSource Source, uint PathId = 0)
{
    /// <summary>LOCAL_PREF as the decision process sees it: the attribute, or 100 when absent (the common default).</summary>
    public uint EffectiveLocalPref => Attributes.LocalPref ?? 100;

    public override string ToString() => $"{Prefix} via {NextHop} from {Source}: {Attributes}";
}
