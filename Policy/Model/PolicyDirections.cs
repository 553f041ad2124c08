namespace Routing.Policy.Model;

/// <summary>The directions in their order (Ingress, then Egress).</summary>
internal static class PolicyDirections
{
    public static readonly PolicyDirection[] Both = [PolicyDirection.Ingress, PolicyDirection.Egress];
}
