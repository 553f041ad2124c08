using System.Text.Json;
using Routing.Policy.Model;
using Routing.Policy.Selectors;
using Routing.Policy.Validation;

namespace Routing.Agent.PolicyRules;

/// <summary>
/// Reads a GlobalNetworkPolicy (<c>routing.dev/v1</c>, Calico v3's field names) from its JSON into
/// the policy model, validated. A field this agent does not implement (<c>notProtocol</c>,
/// <c>icmp</c>, <c>serviceAccounts</c>, …) is refused by name rather than ignored: a rule that
/// silently matched more than written would be worse than none.
/// </summary>
public static class GlobalNetworkPolicyReader
{
    private static readonly HashSet<string> SpecFields = new(StringComparer.Ordinal)
    {
        "order", "selector", "namespaceSelector", "types", "ingress", "egress", "doNotTrack", "preDNAT", "applyOnForward",
    };

    private static readonly HashSet<string> RuleFields = new(StringComparer.Ordinal) { "action", "protocol", "source", "destination" };

    private static readonly HashSet<string> EntityFields = new(StringComparer.Ordinal) { "nets", "notNets", "selector", "namespaceSelector", "ports", "notPorts" };

    /// <summary>The policy; throws <see cref="PolicyResourceException"/> naming every bad field.</summary>
    public static GlobalNetworkPolicy Read(string json)
    {
        using var document = JsonDocument.Parse(json);
        var root = document.RootElement;
        var name = root.TryGetProperty("metadata", out var metadata) && metadata.TryGetProperty("name", out var n) && n.ValueKind == JsonValueKind.String ? n.GetString()! : "";
        var errors = new List<PolicyError>();
        var spec = root.TryGetProperty("spec", out var s) && s.ValueKind == JsonValueKind.Object ? s : default;
        double? order = null;
        SelectorExpression selector = SelectorExpression.All;
        SelectorExpression? namespaceSelector = null;
        List<PolicyDirection>? types = null;
        bool doNotTrack = false, preDnat = false, applyOnForward = false;
        if (spec.ValueKind == JsonValueKind.Object)
        {
            Unsupported(spec, SpecFields, "spec", errors);
            if (spec.TryGetProperty("order", out var o))
            {
                if (o.ValueKind == JsonValueKind.Number)
                {
                    order = o.GetDouble();
                }
                else if (o.ValueKind != JsonValueKind.Null)
                {
                    errors.Add(new PolicyError("spec.order", $"{o.GetRawText()} is not a number"));
                }
            }

            selector = Selector(spec, "selector", "spec.selector", errors) ?? SelectorExpression.All;
            namespaceSelector = Selector(spec, "namespaceSelector", "spec.namespaceSelector", errors);
            types = PolicyTypesReader.Read(spec, "types", errors);
            doNotTrack = Flag(spec, "doNotTrack", errors);
            preDnat = Flag(spec, "preDNAT", errors);
            applyOnForward = Flag(spec, "applyOnForward", errors);
        }

        var policy = new GlobalNetworkPolicy(
            name,
            order,
            selector,
            namespaceSelector,
            Rules(spec, "ingress", errors),
            Rules(spec, "egress", errors),
            types,
            doNotTrack,
            preDnat,
            applyOnForward);
        errors.AddRange(GlobalNetworkPolicyValidator.Validate(policy));
        return errors.Count > 0 ? throw new PolicyResourceException($"GlobalNetworkPolicy {name}", errors) : policy;
    }

    private static List<GlobalPolicyRule> Rules(JsonElement spec, string direction, List<PolicyError> errors)
    {
        var rules = new List<GlobalPolicyRule>();
        if (spec.ValueKind != JsonValueKind.Object || !spec.TryGetProperty(direction, out var list) || list.ValueKind != JsonValueKind.Array)
        {
            return rules;
        }

        var i = 0;
        foreach (var rule in list.EnumerateArray())
        {
            var at = $"spec.{direction}[{i++}]";
            if (rule.ValueKind != JsonValueKind.Object)
            {
                errors.Add(new PolicyError(at, "a rule is a mapping of action, protocol, source and destination"));
                continue;
            }

            Unsupported(rule, RuleFields, at, errors);
            var action = RuleAction.Allow;
            var actionText = rule.TryGetProperty("action", out var a) && a.ValueKind == JsonValueKind.String ? a.GetString() : null;
            if (actionText is null)
            {
                errors.Add(new PolicyError($"{at}.action", "a rule needs an action: Allow, Deny, Log or Pass"));
            }
            else if (!Enum.TryParse(actionText, ignoreCase: false, out action) || !Enum.IsDefined(action) || char.IsDigit(actionText[0]))
            {
                errors.Add(new PolicyError($"{at}.action", $"\"{actionText}\" is not an action: use Allow, Deny, Log or Pass"));
            }

            RuleProtocol? protocol = null;
            if (rule.TryGetProperty("protocol", out var p))
            {
                var text = p.ValueKind == JsonValueKind.Number ? p.GetRawText() : p.GetString();
                if (RuleProtocol.TryParse(text, out var parsed))
                {
                    protocol = parsed;
                }
                else
                {
                    errors.Add(new PolicyError($"{at}.protocol", $"\"{text}\" is not a protocol: use TCP, UDP, SCTP, ICMP, ICMPv6, UDPLite or a number 1-255"));
                }
            }

            rules.Add(new GlobalPolicyRule(action, protocol, Entity(rule, "source", at, errors), Entity(rule, "destination", at, errors)));
        }

        return rules;
    }

    private static EntityRule? Entity(JsonElement rule, string side, string at, List<PolicyError> errors)
    {
        if (!rule.TryGetProperty(side, out var entity) || entity.ValueKind == JsonValueKind.Null)
        {
            return null;
        }

        var field = $"{at}.{side}";
        if (entity.ValueKind != JsonValueKind.Object)
        {
            errors.Add(new PolicyError(field, "a mapping of nets, notNets, selector, namespaceSelector, ports and notPorts"));
            return null;
        }

        Unsupported(entity, EntityFields, field, errors);
        return new EntityRule(
            Strings(entity, "nets", field, errors),
            Strings(entity, "notNets", field, errors),
            Selector(entity, "selector", $"{field}.selector", errors),
            Selector(entity, "namespaceSelector", $"{field}.namespaceSelector", errors),
            Ports(entity, "ports", field, errors),
            Ports(entity, "notPorts", field, errors));
    }

    private static List<string> Strings(JsonElement entity, string property, string field, List<PolicyError> errors)
    {
        if (!entity.TryGetProperty(property, out var list))
        {
            return [];
        }

        if (list.ValueKind != JsonValueKind.Array)
        {
            errors.Add(new PolicyError($"{field}.{property}", "a list of CIDRs"));
            return [];
        }

        return list.EnumerateArray().Select(x => x.ValueKind == JsonValueKind.String ? x.GetString()! : x.GetRawText()).ToList();
    }

    private static List<RulePort> Ports(JsonElement entity, string property, string field, List<PolicyError> errors)
    {
        var ports = new List<RulePort>();
        if (!entity.TryGetProperty(property, out var list))
        {
            return ports;
        }

        if (list.ValueKind != JsonValueKind.Array)
        {
            errors.Add(new PolicyError($"{field}.{property}", "a list of ports: numbers, FIRST:LAST ranges or port names"));
            return ports;
        }

        var i = 0;
        foreach (var item in list.EnumerateArray())
        {
            var text = item.ValueKind == JsonValueKind.Number ? item.GetRawText() : item.GetString() ?? "";
            if (RulePort.TryParse(text, out var port))
            {
                ports.Add(port);
            }
            else
            {
                errors.Add(new PolicyError($"{field}.{property}[{i}]", $"\"{text}\" is neither a port, a range FIRST:LAST nor a port name"));
            }

            i++;
        }

        return ports;
    }

    private static SelectorExpression? Selector(JsonElement owner, string property, string field, List<PolicyError> errors)
    {
        if (!owner.TryGetProperty(property, out var value) || value.ValueKind == JsonValueKind.Null)
        {
            return null;
        }

        if (value.ValueKind != JsonValueKind.String)
        {
            errors.Add(new PolicyError(field, "a selector is a string in Calico's syntax, e.g. \"app == 'web' && has(tier)\""));
            return null;
        }

        if (!SelectorExpression.TryParse(value.GetString(), out var expression, out var error))
        {
            errors.Add(new PolicyError(field, error));
            return null;
        }

        return expression;
    }

    private static bool Flag(JsonElement spec, string property, List<PolicyError> errors)
    {
        if (!spec.TryGetProperty(property, out var value))
        {
            return false;
        }

        if (value.ValueKind is not (JsonValueKind.True or JsonValueKind.False))
        {
            errors.Add(new PolicyError($"spec.{property}", "true or false"));
            return false;
        }

        return value.GetBoolean();
    }

    private static void Unsupported(JsonElement element, HashSet<string> known, string at, List<PolicyError> errors)
    {
        foreach (var property in element.EnumerateObject().Where(p => !known.Contains(p.Name)))
        {
            errors.Add(new PolicyError($"{at}.{property.Name}", $"not supported by this agent (it reads {string.Join(", ", known.Order(StringComparer.Ordinal))})"));
        }
    }
}
