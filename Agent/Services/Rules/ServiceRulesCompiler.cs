using System.Globalization;
using System.Net;
using System.Net.Sockets;
using Routing.Agent.Services.Model;
using Routing.Dataplane.Iptables;

namespace Routing.Agent.Services.Rules;

/// <summary>
/// Compiles Services and EndpointSlices into the nat and filter rules of kube-proxy's iptables
/// mode, in the proxy's own chains. Pure: the same input always gives the same chains, and a change
/// to one service's endpoints changes only that service's chains.
/// </summary>
/// <remarks>
/// nat: PREROUTING and OUTPUT jump to SERVICES, which sends each cluster IP:port to its SVC chain,
/// each external or load-balancer IP:port to its EXT chain, and traffic to the node's addresses to
/// NODEPORTS (node port → EXT). SVC spreads over the endpoints with <c>statistic --mode random</c>
/// (after <c>recent</c> checks for ClientIP affinity), SVL over the local ones only; each SEP chain
/// DNATs to one endpoint. EXT marks for masquerade (eTP Cluster) or goes to SVL keeping the
/// client's address (eTP Local). POSTROUTING masquerades what is marked.
/// filter: service ports without endpoints are rejected (ICMP port unreachable, which TCP clients
/// see as "connection refused"), those without a local endpoint under a Local policy dropped, as
/// kube-proxy does.
/// </remarks>
public static class ServiceRulesCompiler
{
    /// <param name="cache">
    /// Keeps each service's rules between compiles: a service whose resource and slices are the same
    /// objects as last time (a datastore follower replaces only what changed) is not compiled again.
    /// </param>
    public static ServiceRuleset Compile(IEnumerable<ClusterService> services, IEnumerable<EndpointSlice> slices, ServiceRulesOptions options, ServiceRulesCache? cache = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(slices);
        ArgumentNullException.ThrowIfNull(options);
        return new Compilation(options).Run(services, slices, cache);
    }

    private sealed class Compilation(ServiceRulesOptions options)
    {
        private readonly ServiceChainNames names = new(options.ChainPrefix);
        private readonly string hostMask = options.Family == AddressFamily.InterNetworkV6 ? "/128" : "/32";
        private readonly string mark = "0x" + options.MasqueradeBit.ToString("x", CultureInfo.InvariantCulture);
        private ServiceFragment fragment = new();

        public ServiceRuleset Run(IEnumerable<ClusterService> all, IEnumerable<EndpointSlice> slices, ServiceRulesCache? cache)
        {
            var fragments = new List<ServiceFragment>();
            var byService = new Dictionary<(string, string), List<EndpointSlice>>();
            foreach (var slice in slices.Where(s => s.Family == options.Family))
            {
                if (!byService.TryGetValue((slice.Namespace, slice.ServiceName), out var list))
                {
                    byService[(slice.Namespace, slice.ServiceName)] = list = [];
                }

                list.Add(slice);
            }

            var ordered = all.ToArray();
            Array.Sort(ordered, ByNamespaceAndName);
            cache?.Begin();
            foreach (var service in ordered)
            {
                if (service.Type == "ExternalName")
                {
                    continue;
                }

                var serviceSlices = byService.TryGetValue((service.Namespace, service.Name), out var found) ? found : [];
                if (cache is null || !cache.TryGet(service, serviceSlices, options, out var done))
                {
                    fragment = new ServiceFragment();
                    foreach (var port in service.Ports)
                    {
                        AddServicePort(service, port, serviceSlices);
                    }

                    done = fragment;
                    cache?.Set(service, serviceSlices, options, done);
                }

                fragments.Add(done);
            }

            cache?.ForgetUnused();
            var services = All(fragments, f => f.Services);
            var nodePorts = All(fragments, f => f.NodePorts);
            var nat = All(fragments, f => f.Chains);

            // Node ports last: a cluster or external IP that is also a local address matches its own rule first.
            if (options.NodeAddresses.Count == 0)
            {
                services.Add(new IptablesRule($"-m addrtype --dst-type LOCAL -j {names.NodePorts}", "node ports on this node's addresses"));
            }
            else
            {
                foreach (var address in options.NodeAddresses.Where(a => a.AddressFamily == options.Family))
                {
                    services.Add(new IptablesRule($"-d {address}{hostMask} -j {names.NodePorts}", "node ports on this node's addresses"));
                }
            }

            nat.Add(new IptablesChain(names.Services, services));
            nat.Add(new IptablesChain(names.NodePorts, nodePorts));
            nat.Add(new IptablesChain(names.MarkMasquerade, new IptablesRule($"-j MARK --or-mark {mark}")));
            var postrouting = new List<IptablesRule>();
            if (options.InlineEndpoints)
            {
                postrouting.Add(Hairpin());
            }

            postrouting.Add(new IptablesRule($"-m mark ! --mark {mark}/{mark} -j RETURN"));
            postrouting.Add(new IptablesRule($"-j MARK --xor-mark {mark}"));
            postrouting.Add(new IptablesRule("-j MASQUERADE --random-fully", "service traffic that needs the node's address"));
            nat.Add(new IptablesChain(names.Postrouting, postrouting));

            IptablesChain[] filter =
            [
                new(names.Services, All(fragments, f => f.Rejects)),
                new(names.External, All(fragments, f => f.ExternalRejects)),
                new(names.NodePorts, All(fragments, f => f.HealthChecks)),
            ];
            var newOnly = "-m conntrack --ctstate NEW";
            var natJumps = new Dictionary<string, IReadOnlyList<IptablesRule>>(StringComparer.Ordinal)
            {
                ["PREROUTING"] = [new IptablesRule($"-j {names.Services}", "service portals")],
                ["OUTPUT"] = [new IptablesRule($"-j {names.Services}", "service portals")],
                ["POSTROUTING"] = [new IptablesRule($"-j {names.Postrouting}", "service masquerade")],
            };
            var filterJumps = new Dictionary<string, IReadOnlyList<IptablesRule>>(StringComparer.Ordinal)
            {
                ["INPUT"] = [new IptablesRule($"{newOnly} -j {names.External}", "external services"), new IptablesRule($"-j {names.NodePorts}", "health-check node ports")],
                ["FORWARD"] = [new IptablesRule($"{newOnly} -j {names.Services}", "services without endpoints"), new IptablesRule($"{newOnly} -j {names.External}", "external services")],
                ["OUTPUT"] = [new IptablesRule($"{newOnly} -j {names.Services}", "services without endpoints")],
            };
            return new ServiceRuleset(nat, filter, natJumps, filterJumps, All(fragments, f => f.Ports), All(fragments, f => f.Problems));
        }

        private static int ByNamespaceAndName(ClusterService a, ClusterService b)
        {
            var byNamespace = string.CompareOrdinal(a.Namespace, b.Namespace);
            return byNamespace != 0 ? byNamespace : string.CompareOrdinal(a.Name, b.Name);
        }

        // The fragments' parts of one kind, in order, in one list sized once (10,000 services are
        // assembled on every compile, even when one changed).
        private static List<T> All<T>(List<ServiceFragment> fragments, Func<ServiceFragment, List<T>> part)
        {
            var count = 0;
            foreach (var fragment in fragments)
            {
                count += part(fragment).Count;
            }

            var all = new List<T>(count + 4);
            foreach (var fragment in fragments)
            {
                all.AddRange(part(fragment));
            }

            return all;
        }

        private void AddServicePort(ClusterService service, ServicePort port, List<EndpointSlice> slices)
        {
            var key = $"{service.Namespace}/{service.Name}:{port.Name}:{port.Protocol.IptablesName()}";
            var comment = $"{service.Namespace}/{service.Name}{(port.Name.Length > 0 ? ":" + port.Name : "")}";
            var (all, local) = Endpoints(port, slices);
            var clusterTargets = service.InternalTrafficLocal ? local : all;
            var externalTargets = service.ExternalTrafficLocal ? local : all;
            var clusterIPs = service.ClusterIPs.Where(a => a.AddressFamily == options.Family).ToArray();
            var externalIPs = service.ExternalIPs.Concat(service.LoadBalancerIPs).Where(a => a.AddressFamily == options.Family).Distinct().ToArray();
            var nodePort = 0;
            if (service.HasNodePorts && port.NodePort != 0)
            {
                if (port.NodePort >= options.NodePortMin && port.NodePort <= options.NodePortMax)
                {
                    nodePort = port.NodePort;
                }
                else
                {
                    fragment.Problems.Add($"Service {service}: spec.ports[{port}].nodePort {port.NodePort} is outside the node port range {options.NodePortMin}-{options.NodePortMax}; not programmed");
                }
            }

            var hasExternal = externalIPs.Length > 0 || nodePort != 0;
            if (clusterIPs.Length == 0 && !hasExternal)
            {
                return; // headless, or only of the other family
            }

            var protocol = port.Protocol.IptablesName();
            var match = $"-p {protocol} -m {protocol} --dport {port.Port.ToString(CultureInfo.InvariantCulture)}";
            var clusterChain = names.Cluster(key);
            var localChain = names.Local(key);
            var externalChain = names.ExternalOf(key);
            var usesLocal = local.Count > 0 && (service.InternalTrafficLocal || (service.ExternalTrafficLocal && hasExternal));
            var usesCluster = all.Count > 0 && (!service.InternalTrafficLocal || (hasExternal && (!service.ExternalTrafficLocal || options.ClusterCidr is not null)));

            foreach (var ip in clusterIPs)
            {
                var destination = $"-d {ip}{hostMask} {match}";
                if (clusterTargets.Count > 0)
                {
                    fragment.Services.Add(new IptablesRule($"{destination} -j {(service.InternalTrafficLocal ? localChain : clusterChain)}", comment + " cluster IP"));
                }
                else
                {
                    fragment.Rejects.Add(all.Count == 0
                        ? new IptablesRule($"{destination} -j REJECT", comment + " has no endpoints")
                        : new IptablesRule($"{destination} -j DROP", comment + " has no local endpoints"));
                }
            }

            if (hasExternal)
            {
                var externalUsable = externalTargets.Count > 0 || (service.ExternalTrafficLocal && all.Count > 0 && options.ClusterCidr is not null);
                foreach (var ip in externalIPs)
                {
                    var destination = $"-d {ip}{hostMask} {match}";
                    if (externalUsable)
                    {
                        fragment.Services.Add(new IptablesRule($"{destination} -j {externalChain}", comment + " external IP"));
                    }

                    if (externalTargets.Count == 0)
                    {
                        fragment.ExternalRejects.Add(Refusal(destination, all.Count == 0, comment));
                    }
                }

                if (nodePort != 0)
                {
                    var nodePortMatch = $"-p {protocol} -m {protocol} --dport {nodePort.ToString(CultureInfo.InvariantCulture)}";
                    if (externalUsable)
                    {
                        fragment.NodePorts.Add(new IptablesRule($"{nodePortMatch} -j {externalChain}", comment + " node port"));
                    }

                    if (externalTargets.Count == 0)
                    {
                        fragment.ExternalRejects.Add(Refusal($"-m addrtype --dst-type LOCAL {nodePortMatch}", all.Count == 0, comment));
                    }
                }

                if (externalUsable)
                {
                    fragment.Chains.Add(new IptablesChain(externalChain, ExternalRules(service, local.Count > 0, clusterChain, localChain)));
                }
            }

            if (service.ExternalTrafficLocal && service.HealthCheckNodePort != 0 && hasExternal)
            {
                fragment.HealthChecks.Add(new IptablesRule($"-p tcp -m tcp --dport {service.HealthCheckNodePort.ToString(CultureInfo.InvariantCulture)} -j ACCEPT", comment + " health check"));
            }

            if (usesCluster)
            {
                fragment.Chains.Add(new IptablesChain(clusterChain, Spread(key, all, port.Protocol, service.AffinitySeconds, clusterIPs.Select(ip => $"-d {ip}{hostMask} {match}"))));
            }

            if (usesLocal)
            {
                fragment.Chains.Add(new IptablesChain(localChain, Spread(key, local, port.Protocol, service.AffinitySeconds, [])));
            }

            // The local set is not always within the cluster set (local terminating ones when others are ready).
            foreach (var endpoint in Inlined(service) ? [] : (usesCluster ? all : []).Concat(usesLocal ? local : []))
            {
                AddEndpointChain(key, endpoint, port.Protocol, service.AffinitySeconds is not null, comment);
            }

            fragment.Ports.Add(new ProgrammedServicePort(service, port with { NodePort = nodePort }, [.. clusterIPs, .. externalIPs], all, local));
        }

        private static IptablesRule Refusal(string destination, bool noEndpoints, string comment) => noEndpoints
            ? new IptablesRule($"{destination} -j REJECT", comment + " has no endpoints")
            : new IptablesRule($"{destination} -j DROP", comment + " has no local endpoints");

        private List<IptablesRule> ExternalRules(ClusterService service, bool hasLocal, string clusterChain, string localChain)
        {
            if (!service.ExternalTrafficLocal)
            {
                // From outside to any endpoint: the answer must come back through this node.
                return [new IptablesRule($"-j {names.MarkMasquerade}", "masquerade traffic from outside"), new IptablesRule($"-j {clusterChain}")];
            }

            var rules = new List<IptablesRule>();
            if (options.ClusterCidr is { } pods)
            {
                // Pods reach the service through any endpoint, as they would by its cluster IP.
                rules.Add(new IptablesRule($"-s {pods} -j {clusterChain}", "pods go to any endpoint"));
            }

            if (hasLocal)
            {
                rules.Add(new IptablesRule($"-m addrtype --src-type LOCAL -j {names.MarkMasquerade}", "masquerade traffic from this node"));
                rules.Add(new IptablesRule($"-m addrtype --src-type LOCAL -j {localChain}"));
                rules.Add(new IptablesRule($"-j {localChain}", "client address kept"));
            }

            return rules;
        }

        // Affinity needs a recent list per endpoint, set where the endpoint is chosen: a chain each.
        private bool Inlined(ClusterService service) => options.InlineEndpoints && service.AffinitySeconds is null;

        /// <summary>
        /// Masquerades what was DNATed back to its own sender (a pod reaching itself through its
        /// service), so that its answer goes back through the node to be un-DNATed: one rule for every
        /// endpoint, where kube-proxy puts a <c>-s endpoint</c> rule in each endpoint's chain. A classic
        /// BPF program (xt_bpf) compares the source and destination addresses of the IP header.
        /// </summary>
        private IptablesRule Hairpin() => new(
            $"-m conntrack --ctstate DNAT -m bpf --bytecode \"{(options.Family == AddressFamily.InterNetworkV6 ? SameAddressesV6 : SameAddressesV4)}\" -j {names.MarkMasquerade}",
            "hairpin: a pod reaching itself through its service");

        // ld [12]; tax; ld [16]; jeq x → ret 1 : ret 0 (IPv4 source at 12, destination at 16).
        private const string SameAddressesV4 = "6,32 0 0 12,7 0 0 0,32 0 0 16,29 0 1 0,6 0 0 1,6 0 0 0";

        // The same over the four words of IPv6's addresses (source at 8, destination at 24).
        private const string SameAddressesV6 = "18,32 0 0 8,7 0 0 0,32 0 0 24,29 0 13 0,32 0 0 12,7 0 0 0,32 0 0 28,29 0 9 0,32 0 0 16,7 0 0 0,32 0 0 32,29 0 5 0,32 0 0 20,7 0 0 0,32 0 0 36,29 0 1 0,6 0 0 1,6 0 0 0";

        private List<IptablesRule> Spread(string key, IReadOnlyList<IPEndPoint> endpoints, ServiceProtocol protocol, int? affinity, IEnumerable<string> masqueradeFromOutside)
        {
            var rules = new List<IptablesRule>();
            if (options.ClusterCidr is { } pods)
            {
                foreach (var destination in masqueradeFromOutside)
                {
                    rules.Add(new IptablesRule($"! -s {pods} {destination} -j {names.MarkMasquerade}", "masquerade traffic from outside the pods"));
                }
            }

            if (affinity is { } seconds)
            {
                foreach (var endpoint in endpoints)
                {
                    var chain = names.Endpoint(key, endpoint.ToString());
                    rules.Add(new IptablesRule($"-m recent --name {chain} --rcheck --seconds {seconds.ToString(CultureInfo.InvariantCulture)} --reap -j {chain}", "client affinity"));
                }
            }

            var inline = options.InlineEndpoints && affinity is null;
            var name = protocol.IptablesName();
            for (var i = 0; i < endpoints.Count; i++)
            {
                var endpoint = endpoints[i].ToString();
                var target = inline ? $"-j DNAT --to-destination {endpoint}" : $"-j {names.Endpoint(key, endpoint)}";
                var left = endpoints.Count - i;
                var chance = left == 1 ? "" : $"-m statistic --mode random --probability {Probability(left)} ";
                rules.Add(new IptablesRule(inline ? $"-p {name} {chance}{target}" : chance + target, endpoint));
            }

            return rules;
        }

        private void AddEndpointChain(string key, IPEndPoint endpoint, ServiceProtocol protocol, bool affinity, string comment)
        {
            var chain = names.Endpoint(key, endpoint.ToString());
            if (!fragment.EndpointChains.Add(chain))
            {
                return;
            }

            var name = protocol.IptablesName();
            var recent = affinity ? $"-m recent --name {chain} --set " : "";
            fragment.Chains.Add(new IptablesChain(
                chain,
                new IptablesRule($"-s {endpoint.Address}{hostMask} -j {names.MarkMasquerade}", "hairpin"),
                new IptablesRule($"-p {name} {recent}-m {name} -j DNAT --to-destination {endpoint}", comment)));
        }

        // kube-proxy's format: 1/n with ten decimals, so that equal spreads render identically.
        private static string Probability(int left) => (1.0 / left).ToString("0.0000000000", CultureInfo.InvariantCulture);

        /// <summary>
        /// The endpoints of one service port: every usable one and this node's. Ready endpoints;
        /// when none is ready, the serving ones that are terminating (kube-proxy's fallback), for
        /// the cluster set and the local set each.
        /// </summary>
        private (IReadOnlyList<IPEndPoint> All, IReadOnlyList<IPEndPoint> Local) Endpoints(ServicePort port, List<EndpointSlice> slices)
        {
            var ready = new SortedSet<IPEndPoint>(EndpointOrder.Instance);
            var terminating = new SortedSet<IPEndPoint>(EndpointOrder.Instance);
            var localReady = new SortedSet<IPEndPoint>(EndpointOrder.Instance);
            var localTerminating = new SortedSet<IPEndPoint>(EndpointOrder.Instance);
            foreach (var slice in slices)
            {
                var target = slice.Ports.FirstOrDefault(p => p.Name == port.Name && p.Protocol == port.Protocol);
                var number = target?.Port ?? (slice.Ports.Count == 0 && port.TargetPortName is null ? port.TargetPortNumber : 0);
                if (number == 0)
                {
                    continue;
                }

                foreach (var endpoint in slice.Endpoints)
                {
                    var local = endpoint.NodeName == options.NodeName;
                    foreach (var address in endpoint.Addresses.Take(1))
                    {
                        var at = new IPEndPoint(address, number);
                        if (endpoint.Ready)
                        {
                            ready.Add(at);
                            if (local)
                            {
                                localReady.Add(at);
                            }
                        }
                        else if (endpoint.Serving && endpoint.Terminating)
                        {
                            terminating.Add(at);
                            if (local)
                            {
                                localTerminating.Add(at);
                            }
                        }
                    }
                }
            }

            return ([.. ready.Count > 0 ? ready : terminating], [.. localReady.Count > 0 ? localReady : localTerminating]);
        }
    }

    private sealed class EndpointOrder : IComparer<IPEndPoint>
    {
        public static readonly EndpointOrder Instance = new();

        public int Compare(IPEndPoint? x, IPEndPoint? y)
        {
            if (ReferenceEquals(x, y))
            {
                return 0;
            }

            if (x is null || y is null)
            {
                return x is null ? -1 : 1;
            }

            Span<byte> a = stackalloc byte[16];
            Span<byte> b = stackalloc byte[16];
            x.Address.TryWriteBytes(a, out var aLength);
            y.Address.TryWriteBytes(b, out var bLength);
            var order = a[..aLength].SequenceCompareTo(b[..bLength]);
            return order != 0 ? order : x.Port.CompareTo(y.Port);
        }
    }
}
