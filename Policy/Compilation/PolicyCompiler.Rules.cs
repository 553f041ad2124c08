using System.Globalization;
using System.Text;
using Routing.Policy.Model;

namespace Routing.Policy.Compilation;

public sealed partial class PolicyCompiler
{
    /// <summary>One rule per (peer, port) pair of each rule of the policy in this direction; a match sets the accept mark.</summary>
    private CompiledChain CompilePolicy(PolicyDirection direction, NetworkPolicy policy, SetCatalog sets)
    {
        var word = direction == PolicyDirection.Egress ? "egress" : "ingress";
        var side = direction == PolicyDirection.Egress ? "dst" : "src";
        var rules = new List<CompiledRule>();
        var policyRules = policy.RulesOf(direction);
        var key = policy.Key;
        var target = $"-j MARK --set-xmark {options.Mark}/{options.Mark}";
        for (var i = 0; i < policyRules.Count; i++)
        {
            var comment = $"{key} {word} rule {i.ToString(CultureInfo.InvariantCulture)}";
            var peers = policyRules[i].Peers.Count == 0 ? [string.Empty] : policyRules[i].Peers.Select(p => PeerMatch(p, policy.Namespace, side, sets)).OfType<string>();
            var ports = policyRules[i].Ports.Count == 0 ? [string.Empty] : policyRules[i].Ports.Select(p => PortMatch(p, sets)).ToArray();
            foreach (var peer in peers)
            {
                foreach (var port in ports)
                {
                    rules.Add(new CompiledRule(string.Concat(peer, port, target), comment));
                }
            }
        }

        return new CompiledChain(PolicyChain(direction, policy), rules);
    }

    /// <summary>The match for one peer, ending in a space; null when the peer has nothing of the compiled family.</summary>
    private string? PeerMatch(NetworkPolicyPeer peer, string policyNamespace, string side, SetCatalog sets)
    {
        if (peer.IpBlock is not { } block)
        {
            return $"-m set --match-set {sets.PodsOf(peer, policyNamespace)} {side} ";
        }

        var cidr = Cidr.Parse(block.Cidr);
        if (cidr.Family != options.Family)
        {
            return null;
        }

        var match = new StringBuilder();
        if (cidr.Length > 0)
        {
            match.Append(side == "src" ? "-s " : "-d ").Append(cidr.ToString()).Append(' ');
        }

        if (block.Except.Count > 0)
        {
            match.Append(CultureInfo.InvariantCulture, $"-m set ! --match-set {sets.Networks(block.Except.Select(Cidr.Parse))} {side} ");
        }

        return match.ToString();
    }

    /// <summary>
    /// The match for one port entry, ending in a space. A named port matches the destination's
    /// address and port against every pod that declares the name: on a pod the name resolves to
    /// its own number, and nowhere else.
    /// </summary>
    private static string PortMatch(NetworkPolicyPort port, SetCatalog sets)
    {
        var protocol = port.Protocol.KernelName();
        if (port.Port is not { } reference)
        {
            return $"-p {protocol} ";
        }

        if (reference.Name is { } name)
        {
            return $"-p {protocol} -m set --match-set {sets.NamedPort(name, port.Protocol)} dst,dst ";
        }

        var number = reference.Number.ToString(CultureInfo.InvariantCulture);
        return port.EndPort is { } end && end != reference.Number
            ? $"-p {protocol} --dport {number}:{end.ToString(CultureInfo.InvariantCulture)} "
            : $"-p {protocol} --dport {number} ";
    }
}
