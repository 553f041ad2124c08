using Routing.Policy.Selectors;

namespace Routing.Policy.Validation;

/// <summary>Checks a label selector as the API server would (apimachinery <c>ValidateLabelSelector</c>).</summary>
public static class SelectorValidator
{
    public static void Validate(LabelSelector selector, string field, List<PolicyError> errors)
    {
        ArgumentNullException.ThrowIfNull(selector);
        ArgumentNullException.ThrowIfNull(errors);
        foreach (var (key, value) in selector.MatchLabels)
        {
            if (LabelSyntax.KeyError(key) is { } keyError)
            {
                errors.Add(new PolicyError($"{field}.matchLabels", keyError));
            }

            if (LabelSyntax.ValueError(value) is { } valueError)
            {
                errors.Add(new PolicyError($"{field}.matchLabels[{key}]", valueError));
            }
        }

        for (var i = 0; i < selector.MatchExpressions.Count; i++)
        {
            var requirement = selector.MatchExpressions[i];
            var at = $"{field}.matchExpressions[{i}]";
            if (LabelSyntax.KeyError(requirement.Key) is { } keyError)
            {
                errors.Add(new PolicyError($"{at}.key", keyError));
            }

            if (!SelectorOperators.IsKnown(requirement.Operator))
            {
                errors.Add(new PolicyError($"{at}.operator", $"\"{requirement.Operator}\" is not an operator: use In, NotIn, Exists or DoesNotExist"));
                continue;
            }

            if (SelectorOperators.TakesValues(requirement.Operator) && requirement.Values.Count == 0)
            {
                errors.Add(new PolicyError($"{at}.values", $"{requirement.Operator} needs at least one value"));
            }
            else if (!SelectorOperators.TakesValues(requirement.Operator) && requirement.Values.Count > 0)
            {
                errors.Add(new PolicyError($"{at}.values", $"{requirement.Operator} takes no values"));
            }

            foreach (var value in requirement.Values)
            {
                if (LabelSyntax.ValueError(value) is { } valueError)
                {
                    errors.Add(new PolicyError($"{at}.values", valueError));
                }
            }
        }
    }
}
