using System.Globalization;

namespace Routing.Policy.Selectors;

/// <summary>
/// Recursive descent over Calico's selector grammar:
/// <code>
/// or    := and ('||' and)*
/// and   := unary ('&amp;&amp;' unary)*
/// unary := '!' unary | '(' or ')' | 'all()' | 'has(' KEY ')' | KEY op
/// op    := ('==' | '!=' | 'contains' | 'starts with' | 'ends with') STRING | ('in' | 'not in') '{' STRING (',' STRING)* '}'
/// </code>
/// Errors say what was expected at which character.
/// </summary>
internal ref struct SelectorParser
{
    private readonly ReadOnlySpan<char> text;
    private int at;

    private SelectorParser(ReadOnlySpan<char> text) => this.text = text;

    public static bool TryParse(string? text, out SelectorExpression expression, out string error)
    {
        expression = SelectorExpression.All;
        error = "";
        if (string.IsNullOrWhiteSpace(text))
        {
            return true;
        }

        var parser = new SelectorParser(text);
        try
        {
            expression = parser.Or();
            parser.SkipSpace();
            if (parser.at < parser.text.Length)
            {
                throw parser.Error("'&&', '||' or the end");
            }

            return true;
        }
        catch (FormatException e)
        {
            error = $"\"{text}\" is not a selector: {e.Message}";
            return false;
        }
    }

    private SelectorExpression Or()
    {
        var operands = new List<SelectorExpression> { And() };
        while (Take("||"))
        {
            operands.Add(And());
        }

        return operands.Count == 1 ? operands[0] : new JunctionExpression(false, operands);
    }

    private SelectorExpression And()
    {
        var operands = new List<SelectorExpression> { Unary() };
        while (Take("&&"))
        {
            operands.Add(Unary());
        }

        return operands.Count == 1 ? operands[0] : new JunctionExpression(true, operands);
    }

    private SelectorExpression Unary()
    {
        if (Take("!"))
        {
            return new NotExpression(Unary());
        }

        if (Take("("))
        {
            var inner = Or();
            Expect(")");
            return inner;
        }

        if (TakeWord("all"))
        {
            Expect("(");
            Expect(")");
            return SelectorExpression.All;
        }

        if (TakeWord("has"))
        {
            Expect("(");
            var hasKey = Key();
            Expect(")");
            return new HasExpression(hasKey);
        }

        var key = Key();
        if (Take("=="))
        {
            return new LabelComparison(key, "==", [Text()]);
        }

        if (Take("!="))
        {
            return new LabelComparison(key, "!=", [Text()]);
        }

        if (TakeWord("in"))
        {
            return new LabelComparison(key, "in", Set());
        }

        if (TakeWord("not"))
        {
            return TakeWord("in") ? new LabelComparison(key, "not in", Set()) : throw Error("'in' after 'not'");
        }

        if (TakeWord("contains"))
        {
            return new LabelComparison(key, "contains", [Text()]);
        }

        if (TakeWord("starts"))
        {
            return TakeWord("with") ? new LabelComparison(key, "starts with", [Text()]) : throw Error("'with' after 'starts'");
        }

        if (TakeWord("ends"))
        {
            return TakeWord("with") ? new LabelComparison(key, "ends with", [Text()]) : throw Error("'with' after 'ends'");
        }

        throw Error("an operator (==, !=, in, not in, contains, starts with, ends with)");
    }

    private string Key()
    {
        SkipSpace();
        var start = at;
        while (at < text.Length && (char.IsAsciiLetterOrDigit(text[at]) || text[at] is '_' or '-' or '.' or '/'))
        {
            at++;
        }

        if (at == start)
        {
            throw Error("a label key, all(), has(KEY), '!' or '('");
        }

        var key = text[start..at].ToString();
        return LabelSyntax.KeyError(key) is { } problem ? throw new FormatException($"{problem} (at character {start.ToString(CultureInfo.InvariantCulture)})") : key;
    }

    private string Text()
    {
        SkipSpace();
        if (at >= text.Length || text[at] is not ('\'' or '"'))
        {
            throw Error("a quoted value ('...' or \"...\")");
        }

        var quote = text[at];
        var end = text[(at + 1)..].IndexOf(quote);
        if (end < 0)
        {
            throw Error("the closing quote");
        }

        var value = text.Slice(at + 1, end).ToString();
        at += end + 2;
        return value;
    }

    private List<string> Set()
    {
        Expect("{");
        var values = new List<string>();
        if (Take("}"))
        {
            return values;
        }

        do
        {
            values.Add(Text());
        }
        while (Take(","));
        Expect("}");
        return values;
    }

    private bool Take(string token)
    {
        SkipSpace();
        if (!text[at..].StartsWith(token, StringComparison.Ordinal))
        {
            return false;
        }

        at += token.Length;
        return true;
    }

    /// <summary>A keyword, not the start of a longer key ("in" but not "inner").</summary>
    private bool TakeWord(string word)
    {
        SkipSpace();
        var rest = text[at..];
        if (!rest.StartsWith(word, StringComparison.Ordinal) || (rest.Length > word.Length && (char.IsAsciiLetterOrDigit(rest[word.Length]) || rest[word.Length] is '_' or '-' or '.' or '/')))
        {
            return false;
        }

        at += word.Length;
        return true;
    }

    private void Expect(string token)
    {
        if (!Take(token))
        {
            throw Error($"'{token}'");
        }
    }

    private void SkipSpace()
    {
        while (at < text.Length && char.IsWhiteSpace(text[at]))
        {
            at++;
        }
    }

    private readonly FormatException Error(string expected) =>
        new(at >= text.Length
            ? $"expected {expected} at the end"
            : $"expected {expected} at character {at.ToString(CultureInfo.InvariantCulture)} ('{text[at]}')");
}
