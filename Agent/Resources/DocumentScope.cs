using YamlDotNet.RepresentationModel;

namespace Routing.Agent.Resources;

/// <summary>The document being read: where its problems go and how they are labelled.</summary>
internal sealed class DocumentScope(string source, int index, List<ResourceError> errors)
{
    public int Index => index;

    public string? Kind { get; set; }

    public string? Name { get; set; }

    public bool HasErrors { get; private set; }

    /// <summary>Records a problem; <paramref name="field"/> is null for the document as a whole.</summary>
    public void Error(string? field, YamlNode? at, string problem)
    {
        HasErrors = true;
        errors.Add(new ResourceError(source, index, Kind, Name, field, problem, (int)(at?.Start.Line ?? 0), (int)(at?.Start.Column ?? 0)));
    }
}
