#pragma warning disable CA1861 // The documents are written inline, once per test, to read like YAML.
using System.Net;
using System.Net.Sockets;
using Routing.Agent.Services.Model;
using Routing.Agent.Services.Reading;
using Routing.Agent.Services.Rules;
using Routing.Dataplane.Iptables;
using static Routing.Agent.Tests.Services.ServiceDocuments;

namespace Routing.Agent.Tests.Services;

public sealed class ServiceRulesCompilerTests
{
    private static readonly ServiceRulesOptions Node1 = new() { NodeName = "node1", NodeAddresses = [IPAddress.Parse("10.0.0.1")] };

    private static readonly ServiceChainNames Names = new("RT-");

    private static ServiceRuleset Compile(IEnumerable<string> services, IEnumerable<string> slices, ServiceRulesOptions? options = null) =>
        ServiceRulesCompiler.Compile(
            services.Select(ServiceResourceReader.ReadService).ToArray(),
            slices.Select(ServiceResourceReader.ReadEndpointSlice).ToArray(),
            options ?? Node1);

    private static string Web(object? extra = null) => Service("web", extra ?? new { clusterIP = "10.96.0.10", ports = new[] { Port(80, "http", targetPort: 8080) } });

    private static string WebSlice(params object[] endpoints) => Slice("web", endpoints, [SlicePort(8080, "http")]);

    private static string[] Specs(IEnumerable<IptablesChain> chains, string name) =>
        chains.Single(c => c.Name == name).Rules.Select(r => r.Spec).ToArray();

    private const string Key = "default/web:http:tcp";

    // ld [12]; tax; ld [16]; jeq x: the IPv4 source and destination addresses are the same.
    private const string SameAddressesV4 = "6,32 0 0 12,7 0 0 0,32 0 0 16,29 0 1 0,6 0 0 1,6 0 0 0";

    [Fact]
    public void A_cluster_IP_spreads_evenly_over_its_endpoints_and_each_endpoint_is_a_DNAT()
    {
        var rules = Compile([Web()], [WebSlice(Endpoint("10.244.0.7"), Endpoint("10.244.0.5"), Endpoint("10.244.1.5", "node2"))]);

        var svc = Names.Cluster(Key);
        Assert.Equal($"-d 10.96.0.10/32 -p tcp -m tcp --dport 80 -j {svc}", Specs(rules.NatChains, "RT-SERVICES")[0]);
        Assert.Equal(
            [
                "-p tcp -m statistic --mode random --probability 0.3333333333 -j DNAT --to-destination 10.244.0.5:8080",
                "-p tcp -m statistic --mode random --probability 0.5000000000 -j DNAT --to-destination 10.244.0.7:8080",
                "-p tcp -j DNAT --to-destination 10.244.1.5:8080",
            ],
            Specs(rules.NatChains, svc));
        Assert.DoesNotContain(rules.NatChains, c => c.Name.StartsWith("RT-SEP-", StringComparison.Ordinal));
        Assert.Empty(Specs(rules.FilterChains, "RT-SERVICES"));
        Assert.Equal(["-j RT-SERVICES"], rules.NatJumps["PREROUTING"].Select(r => r.Spec));
        Assert.Equal(["-j RT-SERVICES"], rules.NatJumps["OUTPUT"].Select(r => r.Spec));
        Assert.Equal(["-j RT-POSTROUTING"], rules.NatJumps["POSTROUTING"].Select(r => r.Spec));
        Assert.Equal(
            [
                $"-m conntrack --ctstate DNAT -m bpf --bytecode \"{SameAddressesV4}\" -j RT-MARK-MASQ",
                "-m mark ! --mark 0x4000/0x4000 -j RETURN",
                "-j MARK --xor-mark 0x4000",
                "-j MASQUERADE --random-fully",
            ],
            Specs(rules.NatChains, "RT-POSTROUTING"));
    }

    [Fact]
    public void Without_inlining_each_endpoint_has_its_own_chain_as_in_kube_proxy()
    {
        var rules = Compile([Web()], [WebSlice(Endpoint("10.244.0.7"), Endpoint("10.244.0.5"), Endpoint("10.244.1.5", "node2"))], Node1 with { InlineEndpoints = false });

        var svc = Names.Cluster(Key);
        Assert.Equal($"-d 10.96.0.10/32 -p tcp -m tcp --dport 80 -j {svc}", Specs(rules.NatChains, "RT-SERVICES")[0]);
        Assert.Equal(
            [
                $"-m statistic --mode random --probability 0.3333333333 -j {Names.Endpoint(Key, "10.244.0.5:8080")}",
                $"-m statistic --mode random --probability 0.5000000000 -j {Names.Endpoint(Key, "10.244.0.7:8080")}",
                $"-j {Names.Endpoint(Key, "10.244.1.5:8080")}",
            ],
            Specs(rules.NatChains, svc));
        Assert.Equal(
            [$"-s 10.244.0.5/32 -j RT-MARK-MASQ", "-p tcp -m tcp -j DNAT --to-destination 10.244.0.5:8080"],
            Specs(rules.NatChains, Names.Endpoint(Key, "10.244.0.5:8080")));
        Assert.Empty(Specs(rules.FilterChains, "RT-SERVICES"));
        Assert.Equal(["-j RT-SERVICES"], rules.NatJumps["PREROUTING"].Select(r => r.Spec));
        Assert.Equal(["-j RT-SERVICES"], rules.NatJumps["OUTPUT"].Select(r => r.Spec));
        Assert.Equal(["-j RT-POSTROUTING"], rules.NatJumps["POSTROUTING"].Select(r => r.Spec));
        Assert.Equal(["-m mark ! --mark 0x4000/0x4000 -j RETURN", "-j MARK --xor-mark 0x4000", "-j MASQUERADE --random-fully"], Specs(rules.NatChains, "RT-POSTROUTING"));
    }

    [Fact]
    public void A_service_without_endpoints_is_rejected_not_black_holed()
    {
        var rules = Compile([Web()], [WebSlice(Endpoint("10.244.0.5", ready: false, serving: false))]);

        Assert.DoesNotContain(rules.NatChains, c => c.Name == Names.Cluster(Key));
        Assert.DoesNotContain(Specs(rules.NatChains, "RT-SERVICES"), s => s.Contains("10.96.0.10", StringComparison.Ordinal));
        Assert.Equal(["-d 10.96.0.10/32 -p tcp -m tcp --dport 80 -j REJECT"], Specs(rules.FilterChains, "RT-SERVICES"));
        Assert.Equal(
            ["-m conntrack --ctstate NEW -j RT-SERVICES", "-m conntrack --ctstate NEW -j RT-EXTERNAL"],
            rules.FilterJumps["FORWARD"].Select(r => r.Spec));
    }

    [Fact]
    public void Serving_terminating_endpoints_are_used_only_when_none_is_ready()
    {
        var terminating = Endpoint("10.244.0.6", ready: false, terminating: true);
        var gone = Endpoint("10.244.0.8", ready: false, serving: false, terminating: true);

        var fallback = Compile([Web()], [WebSlice(terminating, gone)]);
        var withReady = Compile([Web()], [WebSlice(terminating, gone, Endpoint("10.244.0.5"))]);

        Assert.Equal(["-p tcp -j DNAT --to-destination 10.244.0.6:8080"], Specs(fallback.NatChains, Names.Cluster(Key)));
        Assert.Equal(["-p tcp -j DNAT --to-destination 10.244.0.5:8080"], Specs(withReady.NatChains, Names.Cluster(Key)));
    }

    [Fact]
    public void Client_IP_affinity_checks_recent_lists_first_and_each_endpoint_sets_its_own()
    {
        var service = Web(new { clusterIP = "10.96.0.10", ports = new[] { Port(80, "http", targetPort: 8080) }, sessionAffinity = "ClientIP", sessionAffinityConfig = new { clientIP = new { timeoutSeconds = 30 } } });

        var rules = Compile([service], [WebSlice(Endpoint("10.244.0.5"), Endpoint("10.244.0.6"))]);

        var sep5 = Names.Endpoint(Key, "10.244.0.5:8080");
        var sep6 = Names.Endpoint(Key, "10.244.0.6:8080");
        Assert.Equal(
            [
                $"-m recent --name {sep5} --rcheck --seconds 30 --reap -j {sep5}",
                $"-m recent --name {sep6} --rcheck --seconds 30 --reap -j {sep6}",
                $"-m statistic --mode random --probability 0.5000000000 -j {sep5}",
                $"-j {sep6}",
            ],
            Specs(rules.NatChains, Names.Cluster(Key)));
        Assert.Equal($"-p tcp -m recent --name {sep5} --set -m tcp -j DNAT --to-destination 10.244.0.5:8080", Specs(rules.NatChains, sep5)[1]);
    }

    [Fact]
    public void A_node_port_is_masqueraded_and_answered_on_the_node_addresses_after_every_service_IP()
    {
        var service = Web(new { type = "NodePort", clusterIP = "10.96.0.10", ports = new[] { Port(80, "http", targetPort: 8080, nodePort: 30080) } });

        var rules = Compile([service], [WebSlice(Endpoint("10.244.0.5"))]);

        var ext = Names.ExternalOf(Key);
        Assert.Equal(["-p tcp -m tcp --dport 30080 -j " + ext], Specs(rules.NatChains, "RT-NODEPORTS"));
        Assert.Equal(["-j RT-MARK-MASQ", "-j " + Names.Cluster(Key)], Specs(rules.NatChains, ext));
        Assert.Equal("-d 10.0.0.1/32 -j RT-NODEPORTS", Specs(rules.NatChains, "RT-SERVICES")[^1]);
        Assert.Equal(["-j MARK --or-mark 0x4000"], Specs(rules.NatChains, "RT-MARK-MASQ"));
    }

    [Fact]
    public void Without_node_addresses_node_ports_are_answered_on_every_local_address()
    {
        var rules = Compile([Web()], [], Node1 with { NodeAddresses = [] });

        Assert.Equal(["-m addrtype --dst-type LOCAL -j RT-NODEPORTS"], Specs(rules.NatChains, "RT-SERVICES"));
    }

    [Fact]
    public void External_traffic_policy_Local_keeps_the_client_address_and_uses_only_local_endpoints()
    {
        var service = Web(new
        {
            type = "LoadBalancer",
            clusterIP = "10.96.0.10",
            externalIPs = new[] { "192.0.2.10" },
            ports = new[] { Port(80, "http", targetPort: 8080, nodePort: 30080) },
            externalTrafficPolicy = "Local",
            healthCheckNodePort = 32100,
        });
        var slice = WebSlice(Endpoint("10.244.0.5"), Endpoint("10.244.1.5", "node2"));

        var rules = Compile([service], [slice], Node1 with { ClusterCidr = "10.244.0.0/16" });

        var ext = Names.ExternalOf(Key);
        var svl = Names.Local(Key);
        Assert.Contains($"-d 192.0.2.10/32 -p tcp -m tcp --dport 80 -j {ext}", Specs(rules.NatChains, "RT-SERVICES"));
        Assert.Equal(
            [
                $"-s 10.244.0.0/16 -j {Names.Cluster(Key)}",
                "-m addrtype --src-type LOCAL -j RT-MARK-MASQ",
                $"-m addrtype --src-type LOCAL -j {svl}",
                $"-j {svl}",
            ],
            Specs(rules.NatChains, ext));
        Assert.Equal(["-p tcp -j DNAT --to-destination 10.244.0.5:8080"], Specs(rules.NatChains, svl));
        Assert.Equal(["-p tcp -m tcp --dport 32100 -j ACCEPT"], Specs(rules.FilterChains, "RT-NODEPORTS"));
        // Cluster IP traffic from outside the pods is masqueraded, then goes to any endpoint.
        Assert.Equal($"! -s 10.244.0.0/16 -d 10.96.0.10/32 -p tcp -m tcp --dport 80 -j RT-MARK-MASQ", Specs(rules.NatChains, Names.Cluster(Key))[0]);
    }

    [Fact]
    public void External_traffic_policy_Local_without_a_local_endpoint_drops_outside_traffic()
    {
        var service = Web(new { type = "NodePort", clusterIP = "10.96.0.10", ports = new[] { Port(80, "http", targetPort: 8080, nodePort: 30080) }, externalTrafficPolicy = "Local" });

        var rules = Compile([service], [WebSlice(Endpoint("10.244.1.5", "node2"))]);

        Assert.DoesNotContain(rules.NatChains, c => c.Name == Names.Local(Key));
        Assert.Equal(["-m addrtype --dst-type LOCAL -p tcp -m tcp --dport 30080 -j DROP"], Specs(rules.FilterChains, "RT-EXTERNAL"));
        Assert.Contains("-d 10.96.0.10/32 -p tcp -m tcp --dport 80 -j " + Names.Cluster(Key), Specs(rules.NatChains, "RT-SERVICES"));
    }

    [Fact]
    public void Internal_traffic_policy_Local_sends_cluster_IP_traffic_to_local_endpoints_and_drops_without_one()
    {
        var spec = new { clusterIP = "10.96.0.10", ports = new[] { Port(80, "http", targetPort: 8080) }, internalTrafficPolicy = "Local" };

        var local = Compile([Web(spec)], [WebSlice(Endpoint("10.244.0.5"), Endpoint("10.244.1.5", "node2"))]);
        var remote = Compile([Web(spec)], [WebSlice(Endpoint("10.244.1.5", "node2"))]);

        Assert.Equal($"-d 10.96.0.10/32 -p tcp -m tcp --dport 80 -j {Names.Local(Key)}", Specs(local.NatChains, "RT-SERVICES")[0]);
        Assert.Equal(["-p tcp -j DNAT --to-destination 10.244.0.5:8080"], Specs(local.NatChains, Names.Local(Key)));
        Assert.Equal(["-d 10.96.0.10/32 -p tcp -m tcp --dport 80 -j DROP"], Specs(remote.FilterChains, "RT-SERVICES"));
    }

    [Fact]
    public void A_named_target_port_is_resolved_per_slice()
    {
        var service = Service("web", new { clusterIP = "10.96.0.10", ports = new[] { Port(80, "http", targetPort: "web") } });
        var a = Slice("web", [Endpoint("10.244.0.5")], [SlicePort(8080, "http")], name: "web-a");
        var b = Slice("web", [Endpoint("10.244.0.6")], [SlicePort(9090, "http")], name: "web-b");

        var rules = Compile([service], [a, b]);

        Assert.Equal(
            ["10.244.0.5:8080", "10.244.0.6:9090"],
            rules.Ports.Single().Endpoints.Select(e => e.ToString()));
        Assert.Contains("-p tcp -j DNAT --to-destination 10.244.0.6:9090", Specs(rules.NatChains, Names.Cluster(Key)));
    }

    [Fact]
    public void UDP_and_SCTP_ports_match_their_protocol()
    {
        var service = Service("dns", new { clusterIP = "10.96.0.53", ports = new[] { Port(53, "dns", "UDP"), Port(3868, "diameter", "SCTP") } });
        var slice = Slice("dns", [Endpoint("10.244.0.5")], [SlicePort(53, "dns", "UDP"), SlicePort(3868, "diameter", "SCTP")]);

        var rules = Compile([service], [slice]);

        var services = Specs(rules.NatChains, "RT-SERVICES");
        Assert.Contains(services, s => s.StartsWith("-d 10.96.0.53/32 -p udp -m udp --dport 53 -j RT-SVC-", StringComparison.Ordinal));
        Assert.Contains(services, s => s.StartsWith("-d 10.96.0.53/32 -p sctp -m sctp --dport 3868 -j RT-SVC-", StringComparison.Ordinal));
        Assert.Equal(["-p udp -j DNAT --to-destination 10.244.0.5:53"], Specs(rules.NatChains, Names.Cluster("default/dns:dns:udp")));
        Assert.Equal(["-p sctp -j DNAT --to-destination 10.244.0.5:3868"], Specs(rules.NatChains, Names.Cluster("default/dns:diameter:sctp")));
    }

    [Fact]
    public void IPv6_rules_hold_only_IPv6_addresses()
    {
        var service = Service("web", new { clusterIPs = new[] { "10.96.0.10", "fd00:96::10" }, ports = new[] { Port(80, "http", targetPort: 8080) } });
        var v4 = Slice("web", [Endpoint("10.244.0.5")], [SlicePort(8080, "http")], name: "web-v4");
        var v6 = Slice("web", [Endpoint("fd00:244::5")], [SlicePort(8080, "http")], name: "web-v6", addressType: "IPv6");

        var rules = Compile([service], [v4, v6], new ServiceRulesOptions { NodeName = "node1", Family = AddressFamily.InterNetworkV6, NodeAddresses = [IPAddress.Parse("fd00::1"), IPAddress.Parse("10.0.0.1")] });

        Assert.Equal(
            [$"-d fd00:96::10/128 -p tcp -m tcp --dport 80 -j {Names.Cluster(Key)}", "-d fd00::1/128 -j RT-NODEPORTS"],
            Specs(rules.NatChains, "RT-SERVICES"));
        Assert.Equal(["-p tcp -j DNAT --to-destination [fd00:244::5]:8080"], Specs(rules.NatChains, Names.Cluster(Key)));
        Assert.StartsWith("-m conntrack --ctstate DNAT -m bpf --bytecode \"18,32 0 0 8,7 0 0 0,32 0 0 24,", Specs(rules.NatChains, "RT-POSTROUTING")[0], StringComparison.Ordinal);
    }

    [Fact]
    public void A_node_port_outside_the_range_is_reported_and_not_programmed()
    {
        var service = Web(new { type = "NodePort", clusterIP = "10.96.0.10", ports = new[] { Port(80, "http", targetPort: 8080, nodePort: 8080) } });

        var rules = Compile([service], [WebSlice(Endpoint("10.244.0.5"))]);

        Assert.Empty(Specs(rules.NatChains, "RT-NODEPORTS"));
        Assert.Contains("outside the node port range 30000-32767", Assert.Single(rules.Problems), StringComparison.Ordinal);
    }

    [Fact]
    public void An_endpoint_change_rewrites_only_that_services_chains()
    {
        var other = Service("api", new { clusterIP = "10.96.0.20", ports = new[] { Port(443, "https") } });
        var otherSlice = Slice("api", [Endpoint("10.244.0.9")], [SlicePort(443, "https")]);
        var before = Compile([Web(), other], [WebSlice(Endpoint("10.244.0.5"), Endpoint("10.244.0.6")), otherSlice]);
        var after = Compile([Web(), other], [WebSlice(Endpoint("10.244.0.5"), Endpoint("10.244.0.7")), otherSlice]);

        var old = before.NatChains.ToDictionary(c => c.Name);
        var changed = after.NatChains.Where(c => !old.TryGetValue(c.Name, out var was) || !was.SameContentAs(c)).Select(c => c.Name).Order(StringComparer.Ordinal);
        var removed = before.NatChains.Select(c => c.Name).Except(after.NatChains.Select(c => c.Name));

        Assert.Equal([Names.Cluster(Key)], changed);
        Assert.Empty(removed);
        Assert.True(before.FilterChains.Zip(after.FilterChains).All(p => p.First.SameContentAs(p.Second)));
    }

    [Fact]
    public void Chain_names_fit_iptables_and_are_stable()
    {
        var name = Names.Endpoint("some-namespace-with-a-long-name/service-with-a-long-name:https:tcp", "[fd00:244::1234]:8443");

        Assert.True(name.Length <= IptablesChain.MaxNameLength);
        Assert.Equal(name, new ServiceChainNames("RT-").Endpoint("some-namespace-with-a-long-name/service-with-a-long-name:https:tcp", "[fd00:244::1234]:8443"));
        Assert.Matches("^RT-SEP-[A-Z2-7]{16}$", name);
    }

    [Fact]
    public void With_a_cache_only_changed_services_are_compiled_again_and_the_rules_are_the_same()
    {
        var services = new[] { Web(), Service("api", new { clusterIP = "10.96.0.20", ports = new[] { Port(443, "https") } }) }.Select(ServiceResourceReader.ReadService).ToArray();
        var api = ServiceResourceReader.ReadEndpointSlice(Slice("api", [Endpoint("10.244.0.9")], [SlicePort(443, "https")]));
        var before = ServiceResourceReader.ReadEndpointSlice(WebSlice(Endpoint("10.244.0.5")));
        var after = ServiceResourceReader.ReadEndpointSlice(WebSlice(Endpoint("10.244.0.6")));
        var cache = new ServiceRulesCache();

        var first = ServiceRulesCompiler.Compile(services, [before, api], Node1, cache);
        var second = ServiceRulesCompiler.Compile(services, [after, api], Node1, cache);
        var fresh = ServiceRulesCompiler.Compile(services, [after, api], Node1);

        Assert.Equal(fresh.NatChains.Select(c => c.Name), second.NatChains.Select(c => c.Name));
        Assert.True(fresh.NatChains.Zip(second.NatChains).All(p => p.First.SameContentAs(p.Second)));
        // The api service's chains are the very objects of the first compile.
        var apiChain = Names.Cluster("default/api:https:tcp");
        Assert.Same(first.NatChains.Single(c => c.Name == apiChain), second.NatChains.Single(c => c.Name == apiChain));
        Assert.NotSame(first.NatChains.Single(c => c.Name == Names.Cluster(Key)), second.NatChains.Single(c => c.Name == Names.Cluster(Key)));
    }
}
