namespace Routing.Dataplane.Routes;

/// <summary>rtm_scope: how far the destination is (RT_SCOPE_*). IPv6 routes are always Universe.</summary>
public enum RouteScope : byte
{
    Universe = 0,
    Site = 200,

    /// <summary>Directly attached: a device route with no gateway.</summary>
    Link = 253,
    Host = 254,

    /// <summary>In a delete request: match any scope.</summary>
    Nowhere = 255,
}
