using System.Diagnostics.CodeAnalysis;

namespace Routing.Agent.Resources;

/// <summary>
/// A Calico-style label selector, as in a BGPPeer's <c>nodeSelector</c>. This build reads
/// <c>all()</c>, <c>key == 'value'</c>, <c>key != 'value'</c>, <c>has(key)</c>, <c>!</c>,
/// <c>&amp;&amp;</c>, <c>||</c> and parentheses; an empty selector matches every node, as in Calico.
/// Equality is by the parsed expression, so spacing and quoting do not make two selectors differ.
/// </summary>
public sealed class NodeSelector : IEquatable<NodeSelector>
{
    private readonly Expression expression;

    private NodeSelector(string text, Expression expression)
    {
        Text = text;
        this.expression = expression;
    }

    public static NodeSelector All { get; } = new("all()", new AllExpression());

    /// <summary>The selector as written.</summary>
    public string Text { get; }

    public static NodeSelector Parse(string text) =>
        TryParse(text, out var selector, out var error) ? selector : throw new FormatException(error);

    public static bool TryParse(
        [NotNullWhen(true)] string? text, [NotNullWhen(true)] out NodeSelector? selector, [NotNullWhen(false)] out string? error)
    {
        selector = null;
        if (text is null)
        {
            error = "no selector";
            return false;
        }

        var parser = new Parser(text);
        if (!parser.TryParse(out var expression, out error))
        {
            return false;
        }

        selector = new NodeSelector(text, expression);
        return true;
    }

    /// <summary>Whether a node with these labels is selected. <c>key != 'v'</c> also selects nodes without the key, as in Calico.</summary>
    public bool Matches(IReadOnlyDictionary<string, string> labels)
    {
        ArgumentNullException.ThrowIfNull(labels);
        return expression.Matches(labels);
    }

    public bool Equals(NodeSelector? other) => other is not null && expression.Equals(other.expression);

    public override bool Equals(object? obj) => obj is NodeSelector other && Equals(other);

    public override int GetHashCode() => expression.GetHashCode();

    public static bool operator ==(NodeSelector? left, NodeSelector? right) => Equals(left, right);

    public static bool operator !=(NodeSelector? left, NodeSelector? right) => !Equals(left, right);

    /// <summary>The canonical form: single spaces, single quotes where the value allows.</summary>
    public override string ToString() => expression.ToString();

    private abstract record Expression
    {
        public abstract bool Matches(IReadOnlyDictionary<string, string> labels);

        protected static string Quote(string value) => value.Contains('\'', StringComparison.Ordinal) ? $"\"{value}\"" : $"'{value}'";
    }

    private sealed record AllExpression : Expression
    {
        public override bool Matches(IReadOnlyDictionary<string, string> labels) => true;

        public override string ToString() => "all()";
    }

    private sealed record EqualsExpression(string Key, string Value) : Expression
    {
        public override bool Matches(IReadOnlyDictionary<string, string> labels) =>
            labels.TryGetValue(Key, out var value) && value == Value;

        public override string ToString() => $"{Key} == {Quote(Value)}";
    }

    private sealed record NotEqualsExpression(string Key, string Value) : Expression
    {
        public override bool Matches(IReadOnlyDictionary<string, string> labels) =>
            !labels.TryGetValue(Key, out var value) || value != Value;

        public override string ToString() => $"{Key} != {Quote(Value)}";
    }

    private sealed record HasExpression(string Key) : Expression
    {
        public override bool Matches(IReadOnlyDictionary<string, string> labels) => labels.ContainsKey(Key);

        public override string ToString() => $"has({Key})";
    }

    private sealed record NotExpression(Expression Operand) : Expression
    {
        public override bool Matches(IReadOnlyDictionary<string, string> labels) => !Operand.Matches(labels);

        public override string ToString() => Operand is AndExpression or OrExpression ? $"!({Operand})" : $"!{Operand}";
    }

    private sealed record AndExpression(Expression Left, Expression Right) : Expression
    {
        public override bool Matches(IReadOnlyDictionary<string, string> labels) => Left.Matches(labels) && Right.Matches(labels);

        public override string ToString() => $"{Group(Left)} && {Group(Right)}";

        private static string Group(Expression e) => e is OrExpression ? $"({e})" : e.ToString();
    }

    private sealed record OrExpression(Expression Left, Expression Right) : Expression
    {
        public override bool Matches(IReadOnlyDictionary<string, string> labels) => Left.Matches(labels) || Right.Matches(labels);

        public override string ToString() => $"{Left} || {Right}";
    }

    /// <summary>
    /// Recursive descent over: or := and ('||' and)*; and := unary ('&amp;&amp;' unary)*;
    /// unary := '!' unary | '(' or ')' | 'all()' | 'has(' key ')' | key ('==' | '!=') quoted.
    /// </summary>
    private sealed class Parser(string text)
    {
        private int position;

        public bool TryParse([NotNullWhen(true)] out Expression? expression, [NotNullWhen(false)] out string? error)
        {
            expression = null;
            error = null;
            try
            {
                SkipSpace();
                if (AtEnd)
                {
                    expression = new AllExpression();
                    return true;
                }

                var parsed = ParseOr();
                SkipSpace();
                if (!AtEnd)
                {
                    Fail($"unexpected '{text[position]}'; expected '&&', '||' or the end of the selector");
                }

                expression = parsed;
                return true;
            }
            catch (SelectorSyntaxException e)
            {
                error = e.Message;
                return false;
            }
        }

        private bool AtEnd => position >= text.Length;

        private Expression ParseOr()
        {
            var left = ParseAnd();
            while (Accept("||"))
            {
                left = new OrExpression(left, ParseAnd());
            }

            return left;
        }

        private Expression ParseAnd()
        {
            var left = ParseUnary();
            while (Accept("&&"))
            {
                left = new AndExpression(left, ParseUnary());
            }

            return left;
        }

        private Expression ParseUnary()
        {
            SkipSpace();
            if (Accept("!"))
            {
                return new NotExpression(ParseUnary());
            }

            if (Accept("("))
            {
                var inner = ParseOr();
                Expect(")", "to close '('");
                return inner;
            }

            var start = position;
            var key = ReadKey();
            if (key.Length == 0)
            {
                Fail(AtEnd
                    ? "unexpected end; expected a label key, has(key), all(), '!' or '('"
                    : $"unexpected '{text[position]}'; expected a label key, has(key), all(), '!' or '('");
            }

            SkipSpace();
            if (Accept("("))
            {
                switch (key)
                {
                    case "all":
                        Expect(")", "after 'all('");
                        return new AllExpression();
                    case "has":
                        SkipSpace();
                        var hasKey = ReadKey();
                        if (hasKey.Length == 0)
                        {
                            Fail("expected a label key inside has()");
                        }

                        Expect(")", "to close 'has('");
                        return new HasExpression(hasKey);
                    default:
                        position = start;
                        Fail($"'{key}()' is not supported by this build; use all(), has(key), ==, !=, !, && and ||");
                        break;
                }
            }

            if (Accept("=="))
            {
                return new EqualsExpression(key, ReadValue(key, "=="));
            }

            if (Accept("!="))
            {
                return new NotEqualsExpression(key, ReadValue(key, "!="));
            }

            if (!AtEnd && text[position] == '=')
            {
                Fail($"use '==' to compare, as in {key} == 'value'");
            }

            var word = ReadKey();
            if (word is "in" or "not" or "contains" or "starts" or "ends" or "startswith" or "endswith")
            {
                position -= word.Length;
                Fail($"'{word}' is not supported by this build; write {key} == 'a' || {key} == 'b' instead of sets, or use has({key})");
            }

            position -= word.Length;
            Fail($"expected '==' or '!=' after label key '{key}'");
            return null!;
        }

        private string ReadValue(string key, string op)
        {
            SkipSpace();
            if (AtEnd || text[position] is not ('\'' or '"'))
            {
                Fail($"label values must be quoted, as in {key} {op} 'value'");
            }

            var quote = text[position];
            var close = text.IndexOf(quote, position + 1);
            if (close < 0)
            {
                Fail($"unterminated string; close it with {quote}");
            }

            var value = text[(position + 1)..close];
            position = close + 1;
            return value;
        }

        private string ReadKey()
        {
            var start = position;
            while (!AtEnd && (char.IsAsciiLetterOrDigit(text[position]) || text[position] is '_' or '.' or '/' or '-'))
            {
                position++;
            }

            return text[start..position];
        }

        private bool Accept(string token)
        {
            SkipSpace();
            if (string.CompareOrdinal(text, position, token, 0, token.Length) != 0)
            {
                return false;
            }

            // '!' must not swallow the start of '!='.
            if (token == "!" && position + 1 < text.Length && text[position + 1] == '=')
            {
                return false;
            }

            position += token.Length;
            return true;
        }

        private void Expect(string token, string why)
        {
            if (!Accept(token))
            {
                Fail($"expected '{token}' {why}");
            }
        }

        private void SkipSpace()
        {
            while (!AtEnd && char.IsWhiteSpace(text[position]))
            {
                position++;
            }
        }

        [DoesNotReturn]
        private void Fail(string problem) =>
            throw new SelectorSyntaxException($"{problem} (at column {position + 1} of \"{text}\")");
    }

    private sealed class SelectorSyntaxException(string message) : Exception(message);
}
