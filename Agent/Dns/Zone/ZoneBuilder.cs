using System.Net;
using System.Net.Sockets;
using Routing.Agent.Dns.Wire;

namespace Routing.Agent.Dns.Zone;

/// <summary>
/// Calculates the zone's names from the cluster's services and pods, after the Kubernetes DNS
/// specification (schema 1.1.0): services under <c>svc</c>, SRV for named ports, headless
/// services' endpoints, pods in dashed form under <c>pod</c>, ExternalName as CNAME, and PTR for
/// service, endpoint and pod addresses (the first of these wins when an address is several).
/// </summary>
internal sealed class ZoneBuilder
{
    private readonly ZoneOptions options;
    private readonly Dictionary<string, NameData> names = new(StringComparer.Ordinal);

    private ZoneBuilder(ZoneOptions options) => this.options = options;

    public static ClusterZone Build(ClusterNames cluster, ZoneOptions options)
    {
        ArgumentNullException.ThrowIfNull(cluster);
        ArgumentNullException.ThrowIfNull(options);
        var builder = new ZoneBuilder(options.Normalized());
        return builder.Calculate(cluster);
    }

    private ClusterZone Calculate(ClusterNames cluster)
    {
        var domain = options.Domain;
        Node(domain);
        Node($"svc.{domain}");
        Node($"pod.{domain}");
        var nameServer = $"ns.dns.{domain}";
        if (options.NameServerAddress is { } own)
        {
            Node(nameServer).Addresses.Add(own);
        }

        foreach (var service in cluster.Services.OrderBy(s => s.Namespace, StringComparer.Ordinal).ThenBy(s => s.Name, StringComparer.Ordinal))
        {
            AddService(service);
        }

        // Pods last: a pod's address reverses to the service or endpoint name it also has.
        foreach (var pod in cluster.Pods.OrderBy(p => p.Namespace, StringComparer.Ordinal).ThenBy(p => p.Name, StringComparer.Ordinal))
        {
            var podNamespace = $"{Label(pod.Namespace)}.pod.{domain}";
            foreach (var address in pod.Addresses.Distinct())
            {
                var name = $"{ReverseName.Dashed(address)}.{podNamespace}";
                Node(name).Addresses.Add(address);
                Pointer(address, name);
            }
        }

        var ttl = options.Ttl;
        var soa = new RecordWriter();
        soa.StartOfAuthority(domain, options.NegativeTtl, nameServer, $"hostmaster.{domain}", Serial(cluster), 7200, 1800, 86400, options.NegativeTtl);
        var negative = soa.ToRecordSet()!;

        var nodes = new Dictionary<string, ZoneNode>(names.Count, StringComparer.Ordinal);
        foreach (var (name, data) in names)
        {
            nodes[name] = Encode(name, data, ttl);
        }

        // The apex: SOA and NS (with the name server's address as additional data).
        var apexSoa = new RecordWriter();
        apexSoa.StartOfAuthority(null, ttl, nameServer, $"hostmaster.{domain}", Serial(cluster), 7200, 1800, 86400, options.NegativeTtl);
        var apexNs = new RecordWriter();
        apexNs.Name(null, DnsType.NS, ttl, nameServer);
        var apex = nodes[domain];
        var nsAdditional = AddressRecords(nameServer, ttl);
        nodes[domain] = new ZoneNode
        {
            A = apex.A,
            Aaaa = apex.Aaaa,
            Soa = apexSoa.ToRecordSet(),
            Ns = apexNs.ToRecordSet(),
            NsAdditional = nsAdditional,
            All = RecordSet.Concat([apexSoa.ToRecordSet(), apexNs.ToRecordSet()]),
        };
        return new ClusterZone(options, nodes, negative);
    }

    private void AddService(ServiceName service)
    {
        var name = $"{Label(service.Name)}.{Label(service.Namespace)}.svc.{options.Domain}";
        var node = Node(name);
        switch (service.Kind)
        {
            case ServiceKind.ExternalName:
                if (!string.IsNullOrWhiteSpace(service.ExternalName))
                {
                    node.Alias = service.ExternalName.Trim().TrimEnd('.').ToLowerInvariant();
                }

                break;
            case ServiceKind.ClusterIP:
                foreach (var address in service.ClusterIPs.Distinct())
                {
                    node.Addresses.Add(address);
                    Pointer(address, name);
                }

                foreach (var port in service.Ports.Where(p => p.Name.Length > 0))
                {
                    Node(SrvName(port, name)).Services.Add(new SrvTarget(port.Port, name));
                }

                break;
            case ServiceKind.Headless:
                AddEndpoints(service, name, node);
                break;
        }
    }

    private void AddEndpoints(ServiceName service, string serviceName, NameData serviceNode)
    {
        foreach (var endpoint in service.Endpoints.Where(e => e.Ready || service.PublishNotReadyAddresses))
        {
            // An endpoint with a hostname has one name for all its addresses; one without gets a
            // name per address, in dashed form (as CoreDNS does).
            var named = string.IsNullOrEmpty(endpoint.Hostname)
                ? endpoint.Addresses.Select(a => (Name: $"{ReverseName.Dashed(a)}.{serviceName}", Addresses: (IReadOnlyList<IPAddress>)[a]))
                : [($"{Label(endpoint.Hostname)}.{serviceName}", endpoint.Addresses)];
            foreach (var (endpointName, addresses) in named)
            {
                var endpointNode = Node(endpointName);
                foreach (var address in addresses)
                {
                    endpointNode.Addresses.Add(address);
                    serviceNode.Addresses.Add(address);
                    Pointer(address, endpointName);
                }

                foreach (var port in endpoint.Ports.Where(p => p.Name.Length > 0))
                {
                    Node(SrvName(port, serviceName)).Services.Add(new SrvTarget(port.Port, endpointName));
                }
            }
        }
    }

    private static string SrvName(NamedPort port, string serviceName) =>
        $"_{Label(port.Name)}._{Label(port.Protocol)}.{serviceName}";

    private static string Label(string text) => text.Trim().ToLowerInvariant();

    private void Pointer(IPAddress address, string name)
    {
        var data = Node(ReverseName.For(address), ancestors: false);
        if (data.Pointer is null)
        {
            data.Pointer = name;
        }
    }

    // A name, and its ancestors up to the domain as empty non-terminals (RFC 4592 §2.2.2: they exist).
    private NameData Node(string name, bool ancestors = true)
    {
        if (names.TryGetValue(name, out var found))
        {
            return found;
        }

        var data = new NameData();
        names[name] = data;
        if (ancestors && name.Length > options.Domain.Length)
        {
            var dot = name.IndexOf('.', StringComparison.Ordinal);
            Node(name[(dot + 1)..]);
        }

        return data;
    }

    private ZoneNode Encode(string name, NameData data, uint ttl)
    {
        if (data.Alias is { } alias)
        {
            var cname = new RecordWriter();
            cname.Name(null, DnsType.CNAME, ttl, alias);
            var set = cname.ToRecordSet();
            return new ZoneNode { Cname = set, CnameTarget = alias, All = set };
        }

        var v4 = new RecordWriter();
        var v6 = new RecordWriter();
        foreach (var address in data.Addresses)
        {
            (address.AddressFamily == AddressFamily.InterNetwork ? v4 : v6).Address(null, ttl, address);
        }

        RecordSet? srv = null;
        RecordSet? srvAdditional = null;
        if (data.Services.Count > 0)
        {
            var writer = new RecordWriter();
            var weight = (ushort)Math.Max(1, 100 / data.Services.Count);
            foreach (var target in data.Services)
            {
                writer.Service(null, ttl, 0, weight, (ushort)target.Port, target.Name);
            }

            srv = writer.ToRecordSet();
            srvAdditional = RecordSet.Concat(data.Services.Select(s => s.Name).Distinct().Select(n => AddressRecords(n, ttl)));
            srvAdditional = srvAdditional.Count == 0 ? null : srvAdditional;
        }

        RecordSet? ptr = null;
        if (data.Pointer is { } pointer)
        {
            var writer = new RecordWriter();
            writer.Name(null, DnsType.PTR, ttl, pointer);
            ptr = writer.ToRecordSet();
        }

        var a = v4.ToRecordSet();
        var aaaa = v6.ToRecordSet();
        return new ZoneNode { A = a, Aaaa = aaaa, Srv = srv, SrvAdditional = srvAdditional, Ptr = ptr, All = RecordSet.Concat([a, aaaa, srv, ptr]) };
    }

    // The addresses a name has, owned by that name in full (for additional sections).
    private RecordSet? AddressRecords(string name, uint ttl)
    {
        if (!names.TryGetValue(name, out var data) || data.Addresses.Count == 0)
        {
            return null;
        }

        var writer = new RecordWriter();
        foreach (var address in data.Addresses.OrderBy(a => a.AddressFamily))
        {
            writer.Address(name, ttl, address);
        }

        return writer.ToRecordSet();
    }

    // The SOA serial changes with the content, so secondaries (and humans) can tell zones apart.
    private static uint Serial(ClusterNames cluster) => (uint)(cluster.Services.Count * 7919 + cluster.Pods.Count + 1);

    private sealed class NameData
    {
        public HashSet<IPAddress> Addresses { get; } = [];

        public List<SrvTarget> Services { get; } = [];

        public string? Pointer { get; set; }

        public string? Alias { get; set; }
    }

    private sealed record SrvTarget(int Port, string Name);
}
