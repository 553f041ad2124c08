namespace Routing.Agent.Services.Reading;

/// <summary>One bad field of a Service or EndpointSlice: where it is, and what is wrong with it.</summary>
public sealed record ServiceFieldError(string Field, string Problem)
{
    public override string ToString() => $"{Field}: {Problem}";
}

/// <summary>A Service or EndpointSlice that cannot be used as written: which one, and every bad field.</summary>
public sealed class ServiceResourceException : Exception
{
    public ServiceResourceException(string resource, IReadOnlyList<ServiceFieldError> errors)
        : base($"{resource}: {string.Join("; ", errors)}")
    {
        Resource = resource;
        Errors = errors;
    }

    public ServiceResourceException()
    {
    }

    public ServiceResourceException(string message)
        : base(message)
    {
    }

    public ServiceResourceException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    public string Resource { get; } = "";

    public IReadOnlyList<ServiceFieldError> Errors { get; } = [];
}
