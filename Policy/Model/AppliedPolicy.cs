namespace Routing.Policy.Model;

/// <summary>
/// One policy in a pod's ordered list for a direction: a GlobalNetworkPolicy or a Kubernetes
/// NetworkPolicy (order 1000), as Calico puts both in one tier.
/// </summary>
public sealed record AppliedPolicy
{
    private AppliedPolicy(NetworkPolicy? kubernetes, GlobalNetworkPolicy? global)
    {
        Kubernetes = kubernetes;
        Global = global;
    }

    public NetworkPolicy? Kubernetes { get; }

    public GlobalNetworkPolicy? Global { get; }

    public double Rank => Global?.Rank ?? GlobalNetworkPolicy.KubernetesPolicyOrder;

    public string Key => Global?.Key ?? Kubernetes!.Key;

    public static AppliedPolicy Of(NetworkPolicy policy) => new(policy ?? throw new ArgumentNullException(nameof(policy)), null);

    public static AppliedPolicy Of(GlobalNetworkPolicy policy) => new(null, policy ?? throw new ArgumentNullException(nameof(policy)));

    public override string ToString() => Key;
}
