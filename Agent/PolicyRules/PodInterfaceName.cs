using System.Security.Cryptography;
using System.Text;

namespace Routing.Agent.PolicyRules;

/// <summary>
/// The host side of a pod's veth as <c>routing-cni</c> names it (Cni/Wiring/VethName, after
/// Calico): the prefix and the first hex digits of SHA-1 over "namespace.pod", 15 characters in all.
/// The policy loop finds a pod of this node by that name.
/// </summary>
public static class PodInterfaceName
{
    private const int MaxInterfaceName = 15;

    public static string For(string podNamespace, string podName, string prefix = "cali")
    {
        ArgumentException.ThrowIfNullOrEmpty(podNamespace);
        ArgumentException.ThrowIfNullOrEmpty(podName);
        ArgumentNullException.ThrowIfNull(prefix);
#pragma warning disable CA5350 // Not for security: the name the CNI plugin gives the interface.
        var hash = Convert.ToHexStringLower(SHA1.HashData(Encoding.UTF8.GetBytes($"{podNamespace}.{podName}")));
#pragma warning restore CA5350
        return prefix + hash[..(MaxInterfaceName - prefix.Length)];
    }
}
