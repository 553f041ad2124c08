using System.Net;

namespace Routing.Policy.Model;

/// <summary>
/// A pod as policy sees it: where it lives, its labels, its addresses, its named container ports
/// and, for pods of this node, the host side of its veth (empty for pods of other nodes).
/// </summary>
public sealed record Endpoint(
    string Namespace,
    string Name,
    IReadOnlyDictionary<string, string> Labels,
    IReadOnlyList<IPAddress> Addresses,
    IReadOnlyList<ContainerPort> Ports,
    string HostInterface = "")
{
    /// <summary>namespace/name.</summary>
    public string Key => $"{Namespace}/{Name}";

    public bool IsLocal => HostInterface.Length > 0;

    /// <summary>The port numbers <paramref name="name"/> means on this pod for <paramref name="protocol"/>: none when no container declares it.</summary>
    public IEnumerable<int> Resolve(string name, PolicyProtocol protocol) =>
        Ports.Where(p => p.Protocol == protocol && string.Equals(p.Name, name, StringComparison.Ordinal)).Select(p => p.Port);

    public override string ToString() => Key;
}
