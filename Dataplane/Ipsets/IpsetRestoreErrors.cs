using System.Globalization;
using System.Text.RegularExpressions;

namespace Routing.Dataplane.Ipsets;

/// <summary>Turns ipset's error output into an exception that names the failed line.</summary>
public static partial class IpsetRestoreErrors
{
    // "ipset v7.17: Error in line 2: Syntax error: cannot parse bogus: …"
    [GeneratedRegex(@"Error in line (\d+)")]
    private static partial Regex LineNumber();

    public static IpsetRestoreException From(string script, string standardError)
    {
        ArgumentNullException.ThrowIfNull(script);
        ArgumentNullException.ThrowIfNull(standardError);
        var match = LineNumber().Match(standardError);
        if (!match.Success || !int.TryParse(match.Groups[1].Value, CultureInfo.InvariantCulture, out var number))
        {
            return new IpsetRestoreException(null, null, standardError);
        }

        string? failed = null;
        var n = 0;
        foreach (var line in script.AsSpan().EnumerateLines())
        {
            if (++n == number)
            {
                failed = line.ToString();
                break;
            }
        }

        return new IpsetRestoreException(number, failed, standardError);
    }
}
