namespace Routing.Cni.Protocol;

/// <summary>The spec versions this plugin speaks, and what each one allows.</summary>
public static class CniVersions
{
    /// <summary>Versions this plugin can produce results for, oldest first.</summary>
    public static readonly IReadOnlyList<string> Supported = ["0.3.0", "0.3.1", "0.4.0", "1.0.0", "1.1.0"];

    public const string Current = "1.1.0";

    public static bool IsSupported(string version) => Supported.Contains(version);

    /// <summary>Orders "MAJOR.MINOR.PATCH" numerically; unparsable parts count as 0.</summary>
    public static int Compare(string a, string b)
    {
        ArgumentNullException.ThrowIfNull(a);
        ArgumentNullException.ThrowIfNull(b);
        var x = a.Split('.');
        var y = b.Split('.');
        for (var i = 0; i < 3; i++)
        {
            var cx = i < x.Length && int.TryParse(x[i], System.Globalization.CultureInfo.InvariantCulture, out var vx) ? vx : 0;
            var cy = i < y.Length && int.TryParse(y[i], System.Globalization.CultureInfo.InvariantCulture, out var vy) ? vy : 0;
            if (cx != cy)
            {
                return cx.CompareTo(cy);
            }
        }

        return 0;
    }

    /// <summary>The first spec version that defines <paramref name="command"/>: CHECK came in 0.4.0, STATUS and GC in 1.1.0.</summary>
    public static string IntroducedIn(CniCommand command) => command switch
    {
        CniCommand.Check => "0.4.0",
        CniCommand.Status or CniCommand.Gc => "1.1.0",
        _ => "0.3.0",
    };

    /// <summary>Results before 1.0.0 carry an IP's family as <c>"version": "4"</c>.</summary>
    public static bool ResultHasIpVersion(string version) => Compare(version, "1.0.0") < 0;
}
