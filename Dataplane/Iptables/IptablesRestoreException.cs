namespace Routing.Dataplane.Iptables;

/// <summary>
/// iptables-restore refused a script. Restore is atomic per table, so the table still holds
/// what it held before; <see cref="FailedLine"/> names the rule it choked on.
/// </summary>
public sealed class IptablesRestoreException : Exception
{
    public IptablesRestoreException()
    {
    }

    public IptablesRestoreException(string message)
        : base(message)
    {
    }

    public IptablesRestoreException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    public IptablesRestoreException(string table, int? lineNumber, string? failedLine, string standardError)
        : base(Describe(table, lineNumber, failedLine, standardError))
    {
        Table = table;
        LineNumber = lineNumber;
        FailedLine = failedLine;
        StandardError = standardError;
    }

    public string? Table { get; }

    /// <summary>1-based line of the restore script the tool reported, when it said.</summary>
    public int? LineNumber { get; }

    /// <summary>That line of the script: the rule (with its chain) that failed.</summary>
    public string? FailedLine { get; }

    public string? StandardError { get; }

    private static string Describe(string table, int? lineNumber, string? failedLine, string standardError)
    {
        var why = standardError.Trim().Split('\n').FirstOrDefault(l => !l.StartsWith("Try `", StringComparison.Ordinal))?.Trim() ?? "no error output";
        return lineNumber is null || failedLine is null
            ? $"iptables-restore rejected the update of table {table}; the table is unchanged: {why}"
            : $"iptables-restore rejected line {lineNumber} of the update of table {table} ({why}); the table is unchanged. The line: {failedLine}";
    }
}
