using Routing.Policy.Validation;

namespace Routing.Policy.Compilation;

/// <summary>A model with invalid policies does not compile: the last good ruleset stays in force.</summary>
public sealed class PolicyValidationException : Exception
{
    public PolicyValidationException(IReadOnlyList<(string Policy, PolicyError Error)> errors)
        : base("invalid network policies: " + string.Join("; ", errors.Select(e => $"{e.Policy} {e.Error}")))
    {
        Errors = errors;
    }

    public PolicyValidationException()
        : this([])
    {
    }

    public PolicyValidationException(string message)
        : base(message)
    {
        Errors = [];
    }

    public PolicyValidationException(string message, Exception innerException)
        : base(message, innerException)
    {
        Errors = [];
    }

    public IReadOnlyList<(string Policy, PolicyError Error)> Errors { get; } = [];
}
