using System.Globalization;
using System.Text;

namespace Routing.Agent.Lab;

/// <summary>One node of the lab: its namespace, address on the rack's subnet, AS and pods.</summary>
public sealed record LabNode(int Index, int Rack, string Name, string Namespace, string Address, uint Asn, IReadOnlyList<LabPod> Pods)
{
    public string Gateway => $"10.100.{Rack}.1";
}

/// <summary>A pod: a namespace wired to its node by <c>routing-cni</c>.</summary>
public sealed record LabPod(string Name, string Namespace);

/// <summary>A rack: a top-of-rack router (BIRD) whose bridge is the rack's subnet.</summary>
public sealed record LabRack(int Index, string Namespace, uint Asn)
{
    public string Name => $"r{Index}";

    /// <summary>On the rack's subnet, where its nodes' default route points.</summary>
    public string Address => $"10.100.{Index}.1";

    /// <summary>On the spine, where the racks and the etcd meet.</summary>
    public string SpineAddress => $"10.100.0.{Index}";
}

/// <summary>
/// What <c>routing lab up</c> builds, computed purely from the options: R racks, each a BIRD
/// top-of-rack router in AS 65100+r owning the subnet 10.100.r.0/24; the routers and an etcd meet
/// on a spine subnet 10.100.0.0/24 (the etcd's namespace holds its bridge), and peer eBGP with
/// each other; N nodes spread over the racks, each in an AS of its own (65001+n, so routes between
/// nodes of one rack pass the AS-path loop check), peering eBGP with its rack's router; pods on
/// every node take addresses from one pool, 10.244.0.0/16 in blocks of /26.
/// </summary>
public sealed record LabPlan(string Prefix, IReadOnlyList<LabRack> Racks, IReadOnlyList<LabNode> Nodes, string Encapsulation)
{
    public const string EtcdAddress = "10.100.0.100";
    public const string PoolCidr = "10.244.0.0/16";

    public string EtcdNamespace => $"{Prefix}-etcd";

    public static string Datastore => $"etcd:http://{EtcdAddress}:2379";

    public IEnumerable<string> Namespaces =>
        new[] { EtcdNamespace }.Concat(Racks.Select(r => r.Namespace)).Concat(Nodes.Select(n => n.Namespace)).Concat(Nodes.SelectMany(n => n.Pods.Select(p => p.Namespace)));

    public static LabPlan Create(string prefix, int nodes, int racks, int podsPerNode, string encapsulation)
    {
        ArgumentException.ThrowIfNullOrEmpty(prefix);
        if (racks is < 1 or > 9)
        {
            throw new ArgumentOutOfRangeException(nameof(racks), racks, "--racks: 1 to 9");
        }

        if (nodes < racks || nodes > 50)
        {
            throw new ArgumentOutOfRangeException(nameof(nodes), nodes, $"--nodes: at least one per rack ({racks}), at most 50");
        }

        var rackList = Enumerable.Range(1, racks).Select(r => new LabRack(r, $"{prefix}-tor{r}", (uint)(65100 + r))).ToArray();
        var nodeList = Enumerable.Range(1, nodes).Select(n =>
        {
            var rack = ((n - 1) % racks) + 1;
            var name = $"node{n}";
            var pods = Enumerable.Range(1, podsPerNode).Select(p => new LabPod($"{name}-pod{p}", $"{prefix}-n{n}p{p}")).ToArray();
            return new LabNode(n, rack, name, $"{prefix}-n{n}", $"10.100.{rack}.{10 + n}", (uint)(65000 + n), pods);
        }).ToArray();
        return new LabPlan(prefix, rackList, nodeList, encapsulation);
    }

    /// <summary>The resources applied to the etcd: the cluster as Routing sees it.</summary>
    public string Resources()
    {
        var yaml = new StringBuilder();
        yaml.Append(CultureInfo.InvariantCulture, $"""
            apiVersion: routing.dev/v1
            kind: BGPConfiguration
            metadata: {"{"}name: default{"}"}
            spec: {"{"}asNumber: 64512, nodeToNodeMeshEnabled: false, serviceClusterIPs: [{"{"}cidr: {LabServices.ServiceClusterIPs}{"}"}], serviceExternalIPs: [{"{"}cidr: {LabServices.ServiceExternalIPs}{"}"}]{"}"}
            ---
            apiVersion: routing.dev/v1
            kind: IPPool
            metadata: {"{"}name: pods{"}"}
            spec: {"{"}cidr: {PoolCidr}, blockSize: 26, vxlanMode: {(Encapsulation == "vxlan" ? "Always" : "Never")}, ipipMode: {(Encapsulation == "ipip" ? "Always" : "Never")}{"}"}

            """);
        foreach (var rack in Racks)
        {
            yaml.Append(CultureInfo.InvariantCulture, $"""
                ---
                apiVersion: routing.dev/v1
                kind: BGPPeer
                metadata: {"{"}name: tor-{rack.Name}{"}"}
                spec: {"{"}peerIP: {rack.Address}, asNumber: {rack.Asn}, nodeSelector: "rack == '{rack.Name}'"{"}"}

                """);
        }

        foreach (var node in Nodes)
        {
            yaml.Append(CultureInfo.InvariantCulture, $"""
                ---
                apiVersion: routing.dev/v1
                kind: RoutingNode
                metadata: {"{"}name: {node.Name}, labels: {"{"}rack: r{node.Rack}{"}"}{"}"}
                spec: {"{"}ipv4Address: {node.Address}/24, asNumber: {node.Asn}{"}"}

                """);
        }

        return yaml.ToString();
    }

    /// <summary>BIRD's configuration for a rack's router: its subnet and every BGP route to the spine, BGP routes to its nodes, all into its kernel.</summary>
    public string BirdConfig(LabRack rack, string logPath)
    {
        ArgumentNullException.ThrowIfNull(rack);
        var conf = new StringBuilder();
        conf.Append(CultureInfo.InvariantCulture, $$"""
            log "{{logPath}}" all;
            router id {{rack.SpineAddress}};
            protocol device { scan time 2; }
            protocol direct rack { ipv4; interface "br0"; }
            protocol kernel { ipv4 { export where source = RTS_BGP; }; merge paths on; }

            """);
        foreach (var other in Racks.Where(r => r != rack))
        {
            conf.Append(CultureInfo.InvariantCulture, $$"""
                protocol bgp tor{{other.Index}} {
                  local {{rack.SpineAddress}} as {{rack.Asn}};
                  neighbor {{other.SpineAddress}} as {{other.Asn}};
                  connect delay time 1; connect retry time 2; error wait time 1, 5;
                  ipv4 { import all; export all; };
                }

                """);
        }

        foreach (var node in Nodes.Where(n => n.Rack == rack.Index))
        {
            conf.Append(CultureInfo.InvariantCulture, $$"""
                protocol bgp {{node.Name}} {
                  local {{rack.Address}} as {{rack.Asn}};
                  neighbor {{node.Address}} as {{node.Asn}};
                  connect delay time 1; connect retry time 2; error wait time 1, 5;
                  ipv4 { import all; export where source = RTS_BGP; };
                }

                """);
        }

        return conf.ToString();
    }
}
