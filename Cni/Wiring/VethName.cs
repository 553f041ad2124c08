using System.Text;

namespace Routing.Cni.Wiring;

/// <summary>
/// The host side's name, as Calico derives it: prefix + the first hex digits of SHA-1 over
/// "namespace.pod", so it is stable across restarts of the pod's sandbox and readable at sight
/// by anyone who knows Calico. Without Kubernetes arguments the container ID stands in.
/// </summary>
internal static class VethName
{
    public static string For(string prefix, string? podNamespace, string? podName, string containerId)
    {
        ArgumentNullException.ThrowIfNull(prefix);
        var key = !string.IsNullOrEmpty(podNamespace) && !string.IsNullOrEmpty(podName) ? $"{podNamespace}.{podName}" : containerId;
        var hash = Convert.ToHexStringLower(Sha1.Hash(Encoding.UTF8.GetBytes(key)));
        return prefix + hash[..(Protocol.CniEnvironment.MaxInterfaceName - prefix.Length)];
    }
}
