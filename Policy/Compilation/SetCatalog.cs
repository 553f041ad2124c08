using System.Net;
using Routing.Policy.Model;
using Routing.Policy.Selectors;

namespace Routing.Policy.Compilation;

/// <summary>The ipsets one compilation needs, each made once however many rules use it.</summary>
internal sealed class SetCatalog(PolicyModel model, PolicyCompilerOptions options)
{
    private readonly SortedDictionary<string, CompiledSet> sets = new(StringComparer.Ordinal);

    public IReadOnlyList<CompiledSet> All => sets.Values.ToArray();

    /// <summary>The addresses of the pods a selector peer of a policy in <paramref name="policyNamespace"/> means.</summary>
    public string PodsOf(NetworkPolicyPeer peer, string policyNamespace)
    {
        var scope = peer.NamespaceSelector is { } ns ? $"namespaces {{{ns.Canonical}}}" : $"namespace {policyNamespace}";
        var meaning = $"pods {{{(peer.PodSelector ?? LabelSelector.Everything).Canonical}}} in {scope}";
        return Add(meaning, 's', CompiledSetType.Addresses, () =>
            model.Endpoints.Where(e => model.PeerSelects(peer, policyNamespace, e)).SelectMany(e => Addresses(e)).Select(a => a.ToString()));
    }

    /// <summary>The addresses of the pods a GlobalNetworkPolicy rule's selector and namespace selector mean.</summary>
    public string EndpointsOf(EntityRule entity)
    {
        var meaning = $"pods {{{entity.Selector?.Canonical ?? "all()"}}} in namespaces {{{entity.NamespaceSelector?.Canonical ?? "all()"}}}";
        return Add(meaning, 's', CompiledSetType.Addresses, () =>
            model.Endpoints.Where(e => model.EntitySelects(entity, e)).SelectMany(e => Addresses(e)).Select(a => a.ToString()));
    }

    /// <summary>A list of CIDRs (an ipBlock's exceptions) of the compiled family.</summary>
    public string Networks(IEnumerable<Cidr> cidrs)
    {
        var list = cidrs.Where(c => c.Family == options.Family).Select(c => c.ToString()).Distinct().Order(StringComparer.Ordinal).ToArray();
        return Add($"networks {string.Join(',', list)}", 'n', CompiledSetType.Networks, () => list);
    }

    /// <summary>ADDRESS,PROTO:PORT of every pod that declares <paramref name="name"/> for <paramref name="protocol"/>.</summary>
    public string NamedPort(string name, PolicyProtocol protocol) =>
        Add($"port {name}/{protocol.Name()}", 'p', CompiledSetType.AddressPorts, () =>
            model.Endpoints.SelectMany(e => e.Resolve(name, protocol).Distinct().SelectMany(port =>
                Addresses(e).Select(a => $"{a},{protocol.KernelName()}:{port}"))));

    private string Add(string meaning, char kind, CompiledSetType type, Func<IEnumerable<string>> members)
    {
        var name = $"{options.SetPrefix}{kind}{ContentNames.Hash(meaning)}";
        if (!sets.ContainsKey(name))
        {
            sets[name] = new CompiledSet(name, type, members().Distinct().Order(StringComparer.Ordinal).ToArray(), meaning);
        }

        return name;
    }

    private IEnumerable<IPAddress> Addresses(Endpoint endpoint) =>
        endpoint.Addresses.Where(a => a.AddressFamily == options.Family);
}
