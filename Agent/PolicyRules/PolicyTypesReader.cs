using System.Text.Json;
using Routing.Policy.Model;
using Routing.Policy.Validation;

namespace Routing.Agent.PolicyRules;

/// <summary>
/// A policy's list of directions (NetworkPolicy <c>spec.policyTypes</c>, GlobalNetworkPolicy
/// <c>spec.types</c>): null when absent (the policy's rules decide), each entry Ingress or Egress.
/// </summary>
internal static class PolicyTypesReader
{
    public static List<PolicyDirection>? Read(JsonElement spec, string key, List<PolicyError> errors)
    {
        if (spec.ValueKind != JsonValueKind.Object || !spec.TryGetProperty(key, out var list) || list.ValueKind != JsonValueKind.Array)
        {
            return null;
        }

        var types = new List<PolicyDirection>();
        var i = 0;
        foreach (var type in list.EnumerateArray())
        {
            switch (type.ValueKind == JsonValueKind.String ? type.GetString() : null)
            {
                case "Ingress":
                    types.Add(PolicyDirection.Ingress);
                    break;
                case "Egress":
                    types.Add(PolicyDirection.Egress);
                    break;
                default:
                    errors.Add(new PolicyError($"spec.{key}[{i}]", $"\"{type}\" is not a policy type: use Ingress or Egress"));
                    break;
            }

            i++;
        }

        return types;
    }
}
