using System.Globalization;
using System.Text;
using Routing.Policy.Model;

namespace Routing.Policy.Compilation;

public sealed partial class PolicyCompiler
{
    /// <summary>A multiport match holds at most 15 ports, a range counting for two.</summary>
    private const int MultiportSlots = 15;

    public string GlobalPolicyChain(PolicyDirection direction, GlobalNetworkPolicy policy)
    {
        ArgumentNullException.ThrowIfNull(policy);
        return options.ChainPrefix + (direction == PolicyDirection.Egress ? "ge-" : "gi-") + ContentNames.Hash(policy.Key);
    }

    /// <summary>
    /// The rules of a GlobalNetworkPolicy in order, as felix writes them: Allow sets the accept mark
    /// and returns, Pass the pass mark and returns, Deny drops, Log logs and goes on. A rule's
    /// lists (nets, ports) become ipsets or alternative rules; one that cannot match in the
    /// compiled family (all its nets of the other) compiles to nothing.
    /// </summary>
    private CompiledChain CompileGlobalPolicy(PolicyDirection direction, GlobalNetworkPolicy policy, SetCatalog sets)
    {
        var word = direction == PolicyDirection.Egress ? "egress" : "ingress";
        var rules = new List<CompiledRule>();
        var policyRules = policy.RulesOf(direction);
        for (var i = 0; i < policyRules.Count; i++)
        {
            var rule = policyRules[i];
            var comment = $"{policy.Key} {word} rule {i.ToString(CultureInfo.InvariantCulture)} ({rule.Action})";
            var protocol = rule.Protocol is { } p ? $"-p {p.KernelName} " : string.Empty;
            var named = rule.Protocol is { HasPorts: true } withPorts ? NamedProtocol(withPorts) : PolicyProtocol.Tcp;
            var matches = (from source in EntityMatches(rule.From, "src", named, sets)
                           from destination in EntityMatches(rule.To, "dst", named, sets)
                           select protocol + source + destination).ToArray();
            if (matches.Length == 0)
            {
                continue;
            }

            var (target, mark) = rule.Action switch
            {
                RuleAction.Allow => ($"-j MARK --set-xmark {options.Mark}/{options.Mark}", options.Mark),
                RuleAction.Pass => ($"-j MARK --set-xmark {options.Pass}/{options.Pass}", options.Pass),
                RuleAction.Deny => ("-j DROP", null),
                _ => ($"-j LOG --log-prefix {options.ChainPrefix}log:", null),
            };
            rules.AddRange(matches.Select(m => new CompiledRule(m + target, comment)));
            if (mark is not null)
            {
                rules.Add(new CompiledRule($"-m mark --mark {mark}/{mark} -j RETURN", comment));
            }
        }

        return new CompiledChain(GlobalPolicyChain(direction, policy), rules);
    }

    private static PolicyProtocol NamedProtocol(RuleProtocol protocol) =>
        protocol == RuleProtocol.Udp ? PolicyProtocol.Udp : protocol == RuleProtocol.Sctp ? PolicyProtocol.Sctp : PolicyProtocol.Tcp;

    /// <summary>
    /// The alternatives (ORed, one rule each) that match one side of the packet, each ending in a
    /// space: what every alternative must hold (nets, notNets, selector, notPorts), then one port
    /// group or named port each. Empty when nothing of the compiled family can match.
    /// </summary>
    private List<string> EntityMatches(EntityRule entity, string side, PolicyProtocol protocol, SetCatalog sets)
    {
        var all = new StringBuilder();
        var address = side == "src" ? "-s" : "-d";
        if (entity.Nets.Count > 0)
        {
            var nets = entity.Nets.Select(Cidr.Parse).Where(c => c.Family == options.Family).Distinct().ToArray();
            if (nets.Length == 0)
            {
                return [];
            }

            if (nets.Length == 1)
            {
                all.Append(nets[0].Length > 0 ? $"{address} {nets[0]} " : string.Empty);
            }
            else
            {
                all.Append(CultureInfo.InvariantCulture, $"-m set --match-set {sets.Networks(nets)} {side} ");
            }
        }

        var notNets = entity.NotNets.Select(Cidr.Parse).Where(c => c.Family == options.Family).Distinct().ToArray();
        // Always a set: iptables takes one -s / -d per rule, and nets may have used it.
        if (notNets.Length > 0)
        {
            all.Append(CultureInfo.InvariantCulture, $"-m set ! --match-set {sets.Networks(notNets)} {side} ");
        }

        if (entity.HasSelector)
        {
            all.Append(CultureInfo.InvariantCulture, $"-m set --match-set {sets.EndpointsOf(entity)} {side} ");
        }

        var ports = side == "src" ? "--sports" : "--dports";
        foreach (var group in PortGroups(entity.NotPorts))
        {
            all.Append(CultureInfo.InvariantCulture, $"-m multiport ! {ports} {group} ");
        }

        foreach (var name in entity.NotPorts.Where(p => p.Name is not null))
        {
            all.Append(CultureInfo.InvariantCulture, $"-m set ! --match-set {sets.NamedPort(name.Name!, protocol)} {side},{side} ");
        }

        var prefix = all.ToString();
        if (entity.Ports.Count == 0)
        {
            return [prefix];
        }

        var alternatives = PortGroups(entity.Ports).Select(g => $"{prefix}-m multiport {ports} {g} ").ToList();
        alternatives.AddRange(entity.Ports.Where(p => p.Name is not null).Select(p => $"{prefix}-m set --match-set {sets.NamedPort(p.Name!, protocol)} {side},{side} "));
        return alternatives;
    }

    /// <summary>The numeric ports and ranges, in groups that fit one multiport match.</summary>
    private static IEnumerable<string> PortGroups(IReadOnlyList<RulePort> ports)
    {
        var group = new List<string>();
        var slots = 0;
        foreach (var port in ports.Where(p => p.Name is null))
        {
            var cost = port.First == port.Last ? 1 : 2;
            if (slots + cost > MultiportSlots)
            {
                yield return string.Join(',', group);
                group.Clear();
                slots = 0;
            }

            group.Add(port.ToString());
            slots += cost;
        }

        if (group.Count > 0)
        {
            yield return string.Join(',', group);
        }
    }
}
