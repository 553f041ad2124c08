using YamlDotNet.Core;
using YamlDotNet.Core.Events;
using YamlDotNet.RepresentationModel;

namespace Routing.Agent.Resources;

/// <summary>One document of a multi-document YAML file: its root node and its text as written.</summary>
internal sealed record YamlDocumentText(int Index, YamlNode Root, string Text, int Line);

/// <summary>
/// Loads every document of a YAML stream, remembering where each one's text starts and ends
/// (YamlDotNet's nodes only know where they start), and turning the scanner's rare
/// <see cref="InvalidOperationException"/> on malformed flow collections into a located syntax error.
/// </summary>
internal static class YamlDocuments
{
    public static IReadOnlyList<YamlDocumentText> Load(string text)
    {
        var parser = new TrackingParser(text);
        var stream = new YamlStream();
        stream.Load(parser);

        var documents = new List<YamlDocumentText>(stream.Documents.Count);
        for (var i = 0; i < stream.Documents.Count && i < parser.Spans.Count; i++)
        {
            var (start, end) = parser.Spans[i];
            var from = (int)Math.Clamp(start, 0, text.Length);
            var to = (int)Math.Clamp(end, from, text.Length);
            var root = stream.Documents[i].RootNode;
            documents.Add(new YamlDocumentText(i + 1, root, text[from..to].Trim('\r', '\n') + "\n", (int)root.Start.Line));
        }

        return documents;
    }

    /// <summary>The number of documents begun before a syntax error, to say which one it is in.</summary>
    public static int DocumentAt(string text, int line)
    {
        var parser = new TrackingParser(text);
        try
        {
            while (parser.MoveNext() && parser.LastMark.Line < line)
            {
            }
        }
        catch (YamlException)
        {
        }

        return Math.Max(parser.Started, 1);
    }

    private sealed class TrackingParser(string text) : IParser
    {
        private readonly Parser inner = new(new StringReader(text));
        private long documentStart;

        public List<(long Start, long End)> Spans { get; } = [];

        public int Started { get; private set; }

        public Mark LastMark { get; private set; } = Mark.Empty;

        public ParsingEvent? Current => inner.Current;

        public bool MoveNext()
        {
            bool moved;
            try
            {
                moved = inner.MoveNext();
            }
            catch (InvalidOperationException)
            {
                throw new SyntaxErrorException(LastMark, LastMark, "Malformed YAML after this point (an unclosed '[' or '{'?).");
            }

            switch (inner.Current)
            {
                case DocumentStart start:
                    Started++;
                    // The text begins after an explicit '---' and ends before the next one (or '...').
                    documentStart = start.End.Index;
                    break;
                case DocumentEnd end:
                    Spans.Add((documentStart, end.Start.Index));
                    break;
            }

            if (inner.Current is { } current)
            {
                LastMark = current.End;
            }

            return moved;
        }
    }
}
