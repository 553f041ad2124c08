namespace Routing.Ipam.Blocks;

/// <summary>The secondary attribute keys the agent and the CNI plugin set (Calico's names).</summary>
public static class IpamAttributes
{
    public const string Namespace = "namespace";

    public const string Pod = "pod";

    public const string Node = "node";

    public const string Timestamp = "timestamp";
}
