using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Text;

namespace Routing.Agent.Resources;

/// <summary>
/// Durations written the way Go's <c>time.ParseDuration</c> and Kubernetes' <c>metav1.Duration</c>
/// read them: <c>30s</c>, <c>1m30s</c>, <c>1.5h</c>, <c>250ms</c>, or a bare <c>0</c>.
/// </summary>
public static class GoDuration
{
    private static readonly (string Unit, decimal Nanoseconds)[] Units =
    [
        ("ns", 1m), ("us", 1_000m), ("µs", 1_000m), ("μs", 1_000m), ("ms", 1_000_000m),
        ("s", 1_000_000_000m), ("m", 60_000_000_000m), ("h", 3_600_000_000_000m),
    ];

    public static TimeSpan Parse(string text) =>
        TryParse(text, out var value, out var error) ? value : throw new FormatException(error);

    public static bool TryParse([NotNullWhen(true)] string? text, out TimeSpan value) => TryParse(text, out value, out _);

    public static bool TryParse([NotNullWhen(true)] string? text, out TimeSpan value, [NotNullWhen(false)] out string? error)
    {
        value = default;
        error = null;
        if (string.IsNullOrEmpty(text) || text.Any(char.IsWhiteSpace))
        {
            error = $"{FieldSyntax.Show(text ?? string.Empty)} is not a duration (expected e.g. 30s, 1m30s or 90s)";
            return false;
        }

        var rest = text.AsSpan();
        var negative = false;
        if (rest[0] is '-' or '+')
        {
            negative = rest[0] == '-';
            rest = rest[1..];
        }

        if (rest is "0")
        {
            return true;
        }

        var nanoseconds = 0m;
        while (!rest.IsEmpty)
        {
            var digits = 0;
            while (digits < rest.Length && (char.IsAsciiDigit(rest[digits]) || rest[digits] == '.'))
            {
                digits++;
            }

            var number = rest[..digits];
            if (number.IsEmpty || number is "." || number.Count('.') > 1 ||
                !decimal.TryParse(number, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var amount))
            {
                error = $"{FieldSyntax.Show(text)} is not a duration (expected e.g. 30s, 1m30s or 90s)";
                return false;
            }

            rest = rest[digits..];
            var unitLength = 0;
            while (unitLength < rest.Length && !char.IsAsciiDigit(rest[unitLength]) && rest[unitLength] != '.')
            {
                unitLength++;
            }

            if (unitLength == 0)
            {
                error = $"{FieldSyntax.Show(text)} is not a duration: missing unit (write {text}s for seconds)";
                return false;
            }

            var unit = rest[..unitLength].ToString();
            var scale = Array.Find(Units, u => u.Unit == unit).Nanoseconds;
            if (scale == 0)
            {
                error = $"{FieldSyntax.Show(text)} is not a duration: unknown unit '{unit}' (use h, m, s, ms, us or ns)";
                return false;
            }

            try
            {
                nanoseconds += amount * scale;
            }
            catch (OverflowException)
            {
                nanoseconds = decimal.MaxValue;
            }

            rest = rest[unitLength..];
        }

        var ticks = nanoseconds / 100m;
        if (ticks > TimeSpan.MaxValue.Ticks)
        {
            error = $"{FieldSyntax.Show(text)} is too long a duration";
            return false;
        }

        value = TimeSpan.FromTicks((long)decimal.Round(ticks) * (negative ? -1 : 1));
        return true;
    }

    /// <summary>Writes a duration as Go does (<c>1m30s</c>, <c>1h0m0s</c>, <c>1.5s</c>, <c>0s</c>).</summary>
    public static string Format(TimeSpan value)
    {
        if (value == TimeSpan.Zero)
        {
            return "0s";
        }

        var text = new StringBuilder();
        if (value < TimeSpan.Zero)
        {
            text.Append('-');
            value = value.Duration();
        }

        if (value < TimeSpan.FromSeconds(1))
        {
            var ns = value.Ticks * 100m;
            return text.Append(ns >= 1_000_000 ? $"{ns / 1_000_000m:0.######}ms" : ns >= 1000 ? $"{ns / 1000m:0.###}µs" : $"{ns:0}ns").ToString();
        }

        var hours = (long)value.TotalHours;
        if (hours > 0)
        {
            text.Append(CultureInfo.InvariantCulture, $"{hours}h");
        }

        if (hours > 0 || value.Minutes > 0)
        {
            text.Append(CultureInfo.InvariantCulture, $"{value.Minutes}m");
        }

        var seconds = value.Seconds + ((value.Ticks % TimeSpan.TicksPerSecond) / (decimal)TimeSpan.TicksPerSecond);
        return text.Append(CultureInfo.InvariantCulture, $"{seconds:0.#######}s").ToString();
    }
}
