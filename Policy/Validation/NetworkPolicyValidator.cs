using System.Text.RegularExpressions;
using Routing.Policy.Model;

namespace Routing.Policy.Validation;

/// <summary>
/// Checks a NetworkPolicy as the API server's validation does (<c>ValidateNetworkPolicySpec</c>),
/// naming each bad field by its path (<c>spec.ingress[0].from[1].ipBlock.cidr</c>) and the reason.
/// </summary>
public static partial class NetworkPolicyValidator
{
    public static IReadOnlyList<PolicyError> Validate(NetworkPolicy policy)
    {
        ArgumentNullException.ThrowIfNull(policy);
        var errors = new List<PolicyError>();
        if (string.IsNullOrEmpty(policy.Name))
        {
            errors.Add(new PolicyError("metadata.name", "a policy needs a name"));
        }

        if (string.IsNullOrEmpty(policy.Namespace))
        {
            errors.Add(new PolicyError("metadata.namespace", "a NetworkPolicy lives in a namespace"));
        }

        SelectorValidator.Validate(policy.PodSelector, "spec.podSelector", errors);
        ValidateRules(policy.Ingress, "spec.ingress", "from", errors);
        ValidateRules(policy.Egress, "spec.egress", "to", errors);
        return errors;
    }

    private static void ValidateRules(IReadOnlyList<NetworkPolicyRule> rules, string field, string peers, List<PolicyError> errors)
    {
        for (var i = 0; i < rules.Count; i++)
        {
            var rule = rules[i];
            for (var j = 0; j < rule.Peers.Count; j++)
            {
                ValidatePeer(rule.Peers[j], $"{field}[{i}].{peers}[{j}]", errors);
            }

            for (var j = 0; j < rule.Ports.Count; j++)
            {
                ValidatePort(rule.Ports[j], $"{field}[{i}].ports[{j}]", errors);
            }
        }
    }

    private static void ValidatePeer(NetworkPolicyPeer peer, string field, List<PolicyError> errors)
    {
        if (peer.IpBlock is { } block)
        {
            if (peer.PodSelector is not null || peer.NamespaceSelector is not null)
            {
                errors.Add(new PolicyError(field, "ipBlock may not be combined with podSelector or namespaceSelector in one peer: make them two peers"));
            }

            ValidateIpBlock(block, $"{field}.ipBlock", errors);
            return;
        }

        if (peer.PodSelector is null && peer.NamespaceSelector is null)
        {
            errors.Add(new PolicyError(field, "a peer needs podSelector, namespaceSelector or ipBlock"));
            return;
        }

        if (peer.PodSelector is { } pods)
        {
            SelectorValidator.Validate(pods, $"{field}.podSelector", errors);
        }

        if (peer.NamespaceSelector is { } namespaces)
        {
            SelectorValidator.Validate(namespaces, $"{field}.namespaceSelector", errors);
        }
    }

    private static void ValidateIpBlock(IpBlock block, string field, List<PolicyError> errors)
    {
        if (!Cidr.TryParse(block.Cidr, out var cidr))
        {
            errors.Add(new PolicyError($"{field}.cidr", $"\"{block.Cidr}\" is not a CIDR (ADDRESS/LENGTH, e.g. 10.0.0.0/16)"));
            return;
        }

        for (var k = 0; k < block.Except.Count; k++)
        {
            var at = $"{field}.except[{k}]";
            if (!Cidr.TryParse(block.Except[k], out var except))
            {
                errors.Add(new PolicyError(at, $"\"{block.Except[k]}\" is not a CIDR (ADDRESS/LENGTH, e.g. 10.0.1.0/24)"));
            }
            else if (!cidr.Contains(except) || except.Length <= cidr.Length)
            {
                errors.Add(new PolicyError(at, $"{except} must be a strict subset of cidr {cidr}"));
            }
        }
    }

    private static void ValidatePort(NetworkPolicyPort port, string field, List<PolicyError> errors)
    {
        if (port.Port is { } reference)
        {
            if (reference.Name is { } name)
            {
                if (!ServiceName().IsMatch(name) || name.Contains("--", StringComparison.Ordinal) || !name.Any(char.IsAsciiLetter))
                {
                    errors.Add(new PolicyError($"{field}.port", $"\"{name}\" is not a port name: at most 15 lower-case letters, digits and single '-' (not first or last), with at least one letter"));
                }
            }
            else if (reference.Number is < 1 or > 65535)
            {
                errors.Add(new PolicyError($"{field}.port", $"{reference.Number} is not a port: use 1 to 65535"));
            }
        }

        if (port.EndPort is not { } end)
        {
            return;
        }

        if (port.Port is not { IsNamed: false } start)
        {
            errors.Add(new PolicyError($"{field}.endPort", "endPort needs a numeric port to start the range from"));
        }
        else if (end < start.Number)
        {
            errors.Add(new PolicyError($"{field}.endPort", $"the range {start.Number}-{end} is inverted: endPort must be at least port ({start.Number})"));
        }
        else if (end > 65535)
        {
            errors.Add(new PolicyError($"{field}.endPort", $"{end} is not a port: use at most 65535"));
        }
    }

    [GeneratedRegex("^[a-z0-9]([-a-z0-9]{0,13}[a-z0-9])?$")]
    private static partial Regex ServiceName();
}
