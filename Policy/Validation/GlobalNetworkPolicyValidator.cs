using System.Text.RegularExpressions;
using Routing.Policy.Model;

namespace Routing.Policy.Validation;

/// <summary>
/// Checks a GlobalNetworkPolicy as Calico's validation does where this agent follows it, naming
/// each bad field by its path (<c>spec.ingress[0].destination.ports[1]</c>) and the fix. What the
/// agent does not do (<c>doNotTrack</c>, <c>preDNAT</c>, <c>applyOnForward</c>) is refused, not ignored.
/// </summary>
public static partial class GlobalNetworkPolicyValidator
{
    public static IReadOnlyList<PolicyError> Validate(GlobalNetworkPolicy policy)
    {
        ArgumentNullException.ThrowIfNull(policy);
        var errors = new List<PolicyError>();
        if (string.IsNullOrEmpty(policy.Name) || policy.Name.Length > 253 || !ResourceName().IsMatch(policy.Name))
        {
            errors.Add(new PolicyError("metadata.name", $"\"{policy.Name}\" is not a name: lower-case letters, digits, '-' and '.', at most 253 characters"));
        }

        if (policy.Order is { } order && !double.IsFinite(order))
        {
            errors.Add(new PolicyError("spec.order", "the order must be a finite number (lower applies first)"));
        }

        if (policy.DoNotTrack)
        {
            errors.Add(new PolicyError("spec.doNotTrack", "untracked policy is not supported by this agent: remove doNotTrack (policy applies to pod traffic, after conntrack)"));
        }

        if (policy.PreDnat)
        {
            errors.Add(new PolicyError("spec.preDNAT", "pre-DNAT policy is not supported by this agent: remove preDNAT"));
        }

        if (policy.ApplyOnForward)
        {
            errors.Add(new PolicyError("spec.applyOnForward", "host-endpoint forwarding policy is not supported by this agent: remove applyOnForward (pod traffic is always policed)"));
        }

        ValidateRules(policy.Ingress, "spec.ingress", errors);
        ValidateRules(policy.Egress, "spec.egress", errors);
        return errors;
    }

    private static void ValidateRules(IReadOnlyList<GlobalPolicyRule> rules, string field, List<PolicyError> errors)
    {
        for (var i = 0; i < rules.Count; i++)
        {
            var rule = rules[i];
            var at = $"{field}[{i}]";
            if (!Enum.IsDefined(rule.Action))
            {
                errors.Add(new PolicyError($"{at}.action", "use Allow, Deny, Log or Pass"));
            }

            var hasPorts = rule.From.Ports.Count + rule.From.NotPorts.Count + rule.To.Ports.Count + rule.To.NotPorts.Count > 0;
            if (hasPorts && rule.Protocol is not { HasPorts: true })
            {
                errors.Add(new PolicyError($"{at}.protocol", "ports and notPorts need protocol TCP, UDP or SCTP"));
            }

            ValidateEntity(rule.From, $"{at}.source", errors);
            ValidateEntity(rule.To, $"{at}.destination", errors);
        }
    }

    private static void ValidateEntity(EntityRule entity, string field, List<PolicyError> errors)
    {
        ValidateNets(entity.Nets, $"{field}.nets", errors);
        ValidateNets(entity.NotNets, $"{field}.notNets", errors);
        ValidatePorts(entity.Ports, $"{field}.ports", errors);
        ValidatePorts(entity.NotPorts, $"{field}.notPorts", errors);
    }

    private static void ValidateNets(IReadOnlyList<string> nets, string field, List<PolicyError> errors)
    {
        for (var i = 0; i < nets.Count; i++)
        {
            if (!Cidr.TryParse(nets[i], out _))
            {
                errors.Add(new PolicyError($"{field}[{i}]", $"\"{nets[i]}\" is not a CIDR (ADDRESS/LENGTH, e.g. 10.0.0.0/16)"));
            }
        }
    }

    private static void ValidatePorts(IReadOnlyList<RulePort> ports, string field, List<PolicyError> errors)
    {
        for (var i = 0; i < ports.Count; i++)
        {
            var port = ports[i];
            if (port.Name is { } name)
            {
                if (!PortName().IsMatch(name) || name.Contains("--", StringComparison.Ordinal) || !name.Any(char.IsAsciiLetter))
                {
                    errors.Add(new PolicyError($"{field}[{i}]", $"\"{name}\" is neither a port, a range FIRST:LAST nor a port name (at most 15 lower-case letters, digits and single '-', with a letter)"));
                }
            }
            else if (port.First is < 0 or > 65535 || port.Last is < 0 or > 65535)
            {
                errors.Add(new PolicyError($"{field}[{i}]", $"{port} is not a port: use 0 to 65535"));
            }
            else if (port.Last < port.First)
            {
                errors.Add(new PolicyError($"{field}[{i}]", $"the range {port} is inverted: write FIRST:LAST with FIRST ≤ LAST"));
            }
        }
    }

    [GeneratedRegex(@"^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$")]
    private static partial Regex ResourceName();

    [GeneratedRegex("^[a-z0-9]([-a-z0-9]{0,13}[a-z0-9])?$")]
    private static partial Regex PortName();
}
