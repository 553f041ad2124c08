namespace Routing.Dataplane.Ipsets;

/// <summary>
/// <c>ipset</c> refused a batch. Unlike iptables-restore, ipset restore is not atomic: the lines
/// before <see cref="FailedLine"/> took effect, so the table reads the kernel again before its next apply.
/// </summary>
public sealed class IpsetRestoreException : Exception
{
    public IpsetRestoreException()
    {
    }

    public IpsetRestoreException(string message)
        : base(message)
    {
    }

    public IpsetRestoreException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    public IpsetRestoreException(int? lineNumber, string? failedLine, string standardError)
        : base(Describe(lineNumber, failedLine, standardError))
    {
        LineNumber = lineNumber;
        FailedLine = failedLine;
        StandardError = standardError;
    }

    /// <summary>1-based line of the batch ipset reported, when it said.</summary>
    public int? LineNumber { get; }

    public string? FailedLine { get; }

    public string? StandardError { get; }

    private static string Describe(int? lineNumber, string? failedLine, string standardError)
    {
        var why = standardError.Trim().Split('\n').FirstOrDefault()?.Trim() ?? "no error output";
        return lineNumber is null || failedLine is null
            ? $"ipset restore failed: {why}"
            : $"ipset restore failed at line {lineNumber} ({failedLine}): {why}";
    }
}
