using System.Globalization;

namespace Routing.Policy.Model;

/// <summary>
/// One entry of a rule's <c>ports</c> / <c>notPorts</c>, as Calico writes them: a number (80), a
/// range ("8080:8090") or the name of a container port, resolved on the pod at that end.
/// </summary>
public readonly record struct RulePort
{
    private RulePort(int first, int last, string? name)
    {
        First = first;
        Last = last;
        Name = name;
    }

    public int First { get; }

    public int Last { get; }

    /// <summary>The container port's name, or null for a number or range.</summary>
    public string? Name { get; }

    public static RulePort Number(int port) => new(port, port, null);

    public static RulePort Range(int first, int last) => new(first, last, null);

    public static RulePort Named(string name)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        return new RulePort(0, 0, name);
    }

    public static implicit operator RulePort(int port) => Number(port);

    /// <summary>"80", "8080:8090" or a name; false only for an empty text or a broken range.</summary>
    public static bool TryParse(string text, out RulePort port)
    {
        ArgumentNullException.ThrowIfNull(text);
        port = default;
        var colon = text.IndexOf(':', StringComparison.Ordinal);
        if (colon >= 0)
        {
            if (!int.TryParse(text.AsSpan(0, colon), NumberStyles.None, CultureInfo.InvariantCulture, out var first)
                || !int.TryParse(text.AsSpan(colon + 1), NumberStyles.None, CultureInfo.InvariantCulture, out var last))
            {
                return false;
            }

            port = Range(first, last);
            return true;
        }

        if (int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var number))
        {
            port = Number(number);
            return true;
        }

        if (text.Length == 0)
        {
            return false;
        }

        port = Named(text);
        return true;
    }

    public bool Contains(int port) => Name is null && port >= First && port <= Last;

    public override string ToString() => Name
        ?? (First == Last ? First.ToString(CultureInfo.InvariantCulture) : $"{First.ToString(CultureInfo.InvariantCulture)}:{Last.ToString(CultureInfo.InvariantCulture)}");
}
