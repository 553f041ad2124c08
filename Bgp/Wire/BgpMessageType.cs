namespace Routing.Bgp.Wire;

/// <summary>Message types, RFC 4271 §4.1 and RFC 2918.</summary>
public enum BgpMessageType : byte
{
    Open = 1,
    Update = 2,
    Notification = 3,
    Keepalive = 4,
    RouteRefresh = 5,
}
