namespace Routing.Policy.Model;

/// <summary>A Kubernetes namespace and its labels (which namespace selectors match).</summary>
public sealed record ClusterNamespace(string Name, IReadOnlyDictionary<string, string> Labels)
{
    /// <summary>The label the API server puts on every namespace since Kubernetes 1.21.</summary>
    public const string NameLabel = "kubernetes.io/metadata.name";

    /// <summary>A namespace with the automatic <see cref="NameLabel"/> label and <paramref name="labels"/>.</summary>
    public static ClusterNamespace Create(string name, IReadOnlyDictionary<string, string>? labels = null)
    {
        var all = new Dictionary<string, string>(labels ?? new Dictionary<string, string>(), StringComparer.Ordinal) { [NameLabel] = name };
        return new ClusterNamespace(name, all);
    }

    public override string ToString() => Name;
}
