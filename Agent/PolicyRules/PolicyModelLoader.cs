using Routing.Agent.Datastore.Store;
using Routing.Policy.Model;

namespace Routing.Agent.PolicyRules;

/// <summary>Reads Namespaces, Pods, NetworkPolicies and GlobalNetworkPolicies from a datastore into one <see cref="PolicyModel"/>.</summary>
public static class PolicyModelLoader
{
    public const string NamespaceKind = "Namespace";
    public const string PodKind = "Pod";
    public const string NetworkPolicyKind = "NetworkPolicy";
    public const string GlobalNetworkPolicyKind = "GlobalNetworkPolicy";

    /// <summary>The model; throws <see cref="PolicyResourceException"/> for the first invalid policy, with all its bad fields.</summary>
    public static async Task<PolicyModel> LoadAsync(IResourceStore store, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(store);
        var namespaces = (await store.ListAsync(NamespaceKind, cancellationToken).ConfigureAwait(false)).Items.Select(r => PolicyResourceReader.ReadNamespace(r.Json));
        var pods = (await store.ListAsync(PodKind, cancellationToken).ConfigureAwait(false)).Items.Select(r => PolicyResourceReader.ReadPod(r.Json));
        var policies = (await store.ListAsync(NetworkPolicyKind, cancellationToken).ConfigureAwait(false)).Items.Select(r => PolicyResourceReader.ReadNetworkPolicy(r.Json));
        var globals = (await store.ListAsync(GlobalNetworkPolicyKind, cancellationToken).ConfigureAwait(false)).Items.Select(r => GlobalNetworkPolicyReader.Read(r.Json));
        return new PolicyModel(namespaces.ToArray(), pods.ToArray(), policies.ToArray(), globals.ToArray());
    }
}
