using System.Text;

namespace Routing.Agent.Resources;

/// <summary>
/// One problem in a resource file, located by document and field:
/// <c>bgp.yaml: document 3 (BGPPeer rack1-tor): spec.asNumber: 4294967296 is not an AS number (0 &lt; AS ≤ 4294967295)</c>.
/// </summary>
/// <param name="Source">The file (or other source) name.</param>
/// <param name="Document">The 1-based document index; null for problems with the file as a whole.</param>
/// <param name="Kind">The document's kind, when known.</param>
/// <param name="Name">The document's <c>metadata.name</c>, when known.</param>
/// <param name="Field">The field path (<c>spec.advertise[1]</c>); null for YAML syntax errors.</param>
/// <param name="Problem">What is wrong and, where obvious, the fix.</param>
/// <param name="Line">The 1-based line of the offending node, or 0 when unknown.</param>
/// <param name="Column">The 1-based column of the offending node, or 0 when unknown.</param>
public sealed record ResourceError(
    string Source, int? Document, string? Kind, string? Name, string? Field, string Problem, int Line = 0, int Column = 0)
{
    public string Message
    {
        get
        {
            var text = new StringBuilder(Source);
            if (Document is { } document)
            {
                text.Append(": document ").Append(document);
                if (Kind is not null || Name is not null)
                {
                    text.Append(" (").AppendJoin(' ', new[] { Kind, Name }.Where(part => part is not null)).Append(')');
                }
            }

            if (Field is null && Line > 0)
            {
                text.Append(Document is null ? ": " : ", ").Append("line ").Append(Line).Append(", column ").Append(Column);
            }

            if (Field is not null)
            {
                text.Append(": ").Append(Field);
            }

            return text.Append(": ").Append(Problem).ToString();
        }
    }

    public override string ToString() => Message;
}
