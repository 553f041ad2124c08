namespace Routing.Agent.Resources;

/// <summary>A resource file that could not be used, with every problem found in it. Nothing from it was applied.</summary>
public sealed class ResourceValidationException : Exception
{
    public ResourceValidationException()
        : this("the resources are not valid")
    {
    }

    public ResourceValidationException(string message)
        : base(message)
    {
        Errors = [];
    }

    public ResourceValidationException(string message, Exception innerException)
        : base(message, innerException)
    {
        Errors = [];
    }

    public ResourceValidationException(IReadOnlyList<ResourceError> errors)
        : base(Describe(errors))
    {
        Errors = errors;
    }

    public IReadOnlyList<ResourceError> Errors { get; }

    private static string Describe(IReadOnlyList<ResourceError> errors)
    {
        ArgumentNullException.ThrowIfNull(errors);
        return errors.Count switch
        {
            0 => "the resources are not valid",
            1 => errors[0].Message,
            _ => $"{errors.Count} problems:{Environment.NewLine}" + string.Join(Environment.NewLine, errors.Select(e => "  " + e.Message)),
        };
    }
}
