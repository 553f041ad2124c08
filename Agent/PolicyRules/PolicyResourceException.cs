using Routing.Policy.Validation;

namespace Routing.Agent.PolicyRules;

/// <summary>A policy resource that cannot be used as written: which one, and every bad field.</summary>
public sealed class PolicyResourceException : Exception
{
    public PolicyResourceException(string resource, IReadOnlyList<PolicyError> errors)
        : base($"{resource}: {string.Join("; ", errors)}")
    {
        Resource = resource;
        Errors = errors;
    }

    public PolicyResourceException()
    {
    }

    public PolicyResourceException(string message)
        : base(message)
    {
    }

    public PolicyResourceException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    public string Resource { get; } = "";

    public IReadOnlyList<PolicyError> Errors { get; } = [];
}
