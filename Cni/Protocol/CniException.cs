namespace Routing.Cni.Protocol;

/// <summary>
/// A failure the plugin reports as the spec's error object: <c>{"code", "msg", "details"}</c>
/// on stdout and a non-zero exit. The message names the variable or field at fault.
/// </summary>
public sealed class CniException : Exception
{
    public CniException(CniErrorCode code, string message, string? details = null)
        : base(message)
    {
        Code = code;
        Details = details ?? string.Empty;
    }

    public CniException(CniErrorCode code, string message, Exception innerException)
        : base(message, innerException)
    {
        Code = code;
        Details = innerException?.Message ?? string.Empty;
    }

    public CniException()
        : this(CniErrorCode.IoFailure, "CNI failure")
    {
    }

    public CniException(string message)
        : this(CniErrorCode.IoFailure, message)
    {
    }

    public CniException(string message, Exception innerException)
        : this(CniErrorCode.IoFailure, message, innerException)
    {
    }

    public CniErrorCode Code { get; }

    public string Details { get; }
}
