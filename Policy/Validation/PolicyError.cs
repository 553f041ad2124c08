namespace Routing.Policy.Validation;

/// <summary>What is wrong with a policy: the field, as a path into the resource, and why.</summary>
public sealed record PolicyError(string Field, string Reason)
{
    public override string ToString() => $"{Field}: {Reason}";
}
