namespace Routing.Policy.Selectors;

/// <summary>The operators of a <c>matchExpressions</c> requirement, spelled as Kubernetes spells them.</summary>
public static class SelectorOperators
{
    public const string In = "In";
    public const string NotIn = "NotIn";
    public const string Exists = "Exists";
    public const string DoesNotExist = "DoesNotExist";

    public static bool IsKnown(string op) => op is In or NotIn or Exists or DoesNotExist;

    /// <summary>True for the operators that take a non-empty value list.</summary>
    public static bool TakesValues(string op) => op is In or NotIn;
}
