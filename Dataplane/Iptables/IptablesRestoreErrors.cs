using System.Globalization;
using System.Text.RegularExpressions;

namespace Routing.Dataplane.Iptables;

/// <summary>Turns iptables-restore's error output into an exception that names the failed rule.</summary>
public static partial class IptablesRestoreErrors
{
    // "Error occurred at line: 4" (parse errors), "iptables-restore: line 2 failed" (kernel refusals).
    [GeneratedRegex(@"line:? (\d+)")]
    private static partial Regex LineNumber();

    public static IptablesRestoreException From(string table, string script, string standardError)
    {
        ArgumentNullException.ThrowIfNull(script);
        ArgumentNullException.ThrowIfNull(standardError);
        var match = LineNumber().Match(standardError);
        if (!match.Success || !int.TryParse(match.Groups[1].Value, CultureInfo.InvariantCulture, out var number))
        {
            return new IptablesRestoreException(table, null, null, standardError);
        }

        return new IptablesRestoreException(table, number, LineOf(script, number), standardError);
    }

    private static string? LineOf(string script, int number)
    {
        var n = 0;
        foreach (var line in script.AsSpan().EnumerateLines())
        {
            if (++n == number)
            {
                return line.ToString();
            }
        }

        return null;
    }
}
