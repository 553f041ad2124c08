using System.Text;

namespace Routing.Agent.Cli;

/// <summary>A boxed text table in the style of calicoctl: +---+ rules, upper-case centred headers.</summary>
internal sealed class TextTable(params string[] headers)
{
    private readonly List<string[]> rows = [];

    public void Add(params string[] cells) => rows.Add(cells);

    public override string ToString()
    {
        var widths = headers.Select((h, i) => Math.Max(h.Length, rows.Count == 0 ? 0 : rows.Max(r => r[i].Length))).ToArray();
        var rule = "+" + string.Join("+", widths.Select(w => new string('-', w + 2))) + "+";
        var text = new StringBuilder();
        text.AppendLine(rule);
        text.AppendLine("| " + string.Join(" | ", headers.Select((h, i) => Center(h.ToUpperInvariant(), widths[i]))) + " |");
        text.AppendLine(rule);
        foreach (var row in rows)
        {
            text.AppendLine("| " + string.Join(" | ", row.Select((c, i) => c.PadRight(widths[i]))) + " |");
        }

        text.AppendLine(rule);
        return text.ToString();
    }

    private static string Center(string text, int width)
    {
        var left = (width - text.Length) / 2;
        return new string(' ', left) + text + new string(' ', width - text.Length - left);
    }
}
