using System.Text.RegularExpressions;

namespace Routing.Policy.Selectors;

/// <summary>Kubernetes' rules for label keys and values (apimachinery <c>validation.IsQualifiedName</c>, <c>IsValidLabelValue</c>).</summary>
public static partial class LabelSyntax
{
    /// <summary>Null when <paramref name="key"/> is a valid label key, else why not.</summary>
    public static string? KeyError(string key)
    {
        ArgumentNullException.ThrowIfNull(key);
        var slash = key.LastIndexOf('/');
        var name = slash < 0 ? key : key[(slash + 1)..];
        if (slash >= 0)
        {
            var prefix = key[..slash];
            if (prefix.Length is 0 or > 253 || !DnsSubdomain().IsMatch(prefix))
            {
                return $"\"{key}\": the prefix before '/' must be a DNS subdomain (lower-case letters, digits, '-' and '.', at most 253 characters)";
            }
        }

        if (name.Length is 0 or > 63 || !Name().IsMatch(name))
        {
            return $"\"{key}\": a label name must be 1 to 63 characters of letters, digits, '-', '_' and '.', starting and ending with a letter or digit";
        }

        return null;
    }

    /// <summary>Null when <paramref name="value"/> is a valid label value (empty is valid), else why not.</summary>
    public static string? ValueError(string value)
    {
        ArgumentNullException.ThrowIfNull(value);
        return value.Length == 0 || (value.Length <= 63 && Name().IsMatch(value))
            ? null
            : $"\"{value}\": a label value must be at most 63 characters of letters, digits, '-', '_' and '.', starting and ending with a letter or digit";
    }

    [GeneratedRegex("^[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$")]
    private static partial Regex Name();

    [GeneratedRegex(@"^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$")]
    private static partial Regex DnsSubdomain();
}
