using System.Net;
using Routing.Bgp.Wire;
using Routing.Bgp.Wire.Attributes;

namespace Routing.Bgp.Rib;

/// <summary>
/// What the routes of one UPDATE share: attributes, next hop and where they came from. One
/// instance serves all of them, so a route costs little more than its prefix.
/// </summary>
public sealed record PathInfo(PathAttributes Attributes, IPAddress NextHop, RouteSource Source);

/// <summary>A path to a prefix: the prefix, its ADD-PATH identifier, and the shared <see cref="PathInfo"/>. Immutable.</summary>
public sealed record Route
{
    public Route(Prefix prefix, PathInfo path, uint pathId = 0)
    {
        Prefix = prefix;
        Path = path ?? throw new ArgumentNullException(nameof(path));
        PathId = pathId;
    }

    public Route(Prefix prefix, PathAttributes attributes, IPAddress nextHop, RouteSource source, uint pathId = 0)
        : this(prefix, new PathInfo(attributes, nextHop, source), pathId)
    {
    }

    public Prefix Prefix { get; }

    public PathInfo Path { get; }

    public uint PathId { get; }

    public PathAttributes Attributes => Path.Attributes;

    public IPAddress NextHop => Path.NextHop;

    public RouteSource Source => Path.Source;

    /// <summary>LOCAL_PREF as the decision process sees it: the attribute, or 100 when absent (the common default).</summary>
    public uint EffectiveLocalPref => Attributes.LocalPref ?? 100;

    public override string ToString() => $"{Prefix} via {NextHop} from {Source}: {Attributes}";
}
