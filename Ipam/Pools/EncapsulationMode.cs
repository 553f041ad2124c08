namespace Routing.Ipam.Pools;

/// <summary>When traffic to a pool's addresses on another node is tunnelled (Calico's <c>ipipMode</c> / <c>vxlanMode</c>).</summary>
public enum EncapsulationMode
{
    /// <summary>Routed natively, never tunnelled.</summary>
    Never,

    /// <summary>Always tunnelled.</summary>
    Always,

    /// <summary>Tunnelled only to nodes in another subnet than this node's.</summary>
    CrossSubnet,
}
