namespace Routing.Cni.Protocol;

/// <summary>
/// <c>CNI_ARGS</c>: "K=V;K=V" pairs. The Kubernetes runtime passes the pod's namespace and name;
/// an unknown key is an error unless <c>IgnoreUnknown=1</c> says the runtime expects it to be ignored.
/// </summary>
public sealed record CniArgs(string? PodNamespace, string? PodName, string? InfraContainerId, string? PodUid)
{
    public static readonly CniArgs Empty = new(null, null, null, null);

    private static readonly string[] Known = ["K8S_POD_NAMESPACE", "K8S_POD_NAME", "K8S_POD_INFRA_CONTAINER_ID", "K8S_POD_UID", "IgnoreUnknown"];

    public static CniArgs Parse(string? text)
    {
        if (string.IsNullOrEmpty(text))
        {
            return Empty;
        }

        var pairs = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var part in text.Split(';', StringSplitOptions.RemoveEmptyEntries))
        {
            var eq = part.IndexOf('=', StringComparison.Ordinal);
            if (eq <= 0)
            {
                throw new CniException(CniErrorCode.InvalidEnvironment,
                    $"CNI_ARGS: \"{part}\" is not KEY=VALUE", "CNI_ARGS is a list of KEY=VALUE pairs separated by ';'");
            }

            pairs[part[..eq]] = part[(eq + 1)..];
        }

        var ignoreUnknown = pairs.TryGetValue("IgnoreUnknown", out var ignore)
            && (ignore == "1" || ignore.Equals("true", StringComparison.OrdinalIgnoreCase));
        var unknown = pairs.Keys.Where(k => !Known.Contains(k)).Order(StringComparer.Ordinal).ToList();
        if (unknown.Count > 0 && !ignoreUnknown)
        {
            throw new CniException(CniErrorCode.InvalidEnvironment,
                $"CNI_ARGS: unknown key {string.Join(", ", unknown)}",
                "routing-cni knows K8S_POD_NAMESPACE, K8S_POD_NAME, K8S_POD_INFRA_CONTAINER_ID and K8S_POD_UID; add IgnoreUnknown=1 to pass others");
        }

        return new CniArgs(
            pairs.GetValueOrDefault("K8S_POD_NAMESPACE"),
            pairs.GetValueOrDefault("K8S_POD_NAME"),
            pairs.GetValueOrDefault("K8S_POD_INFRA_CONTAINER_ID"),
            pairs.GetValueOrDefault("K8S_POD_UID"));
    }
}
