namespace Routing.Bgp.Fsm;

/// <summary>The six states of RFC 4271 §8.2.2.</summary>
public enum BgpState
{
    Idle,
    Connect,
    Active,
    OpenSent,
    OpenConfirm,
    Established,
}
