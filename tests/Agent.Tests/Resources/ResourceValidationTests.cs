using Routing.Agent.Resources;

namespace Routing.Agent.Tests.Resources;

/// <summary>Every problem a user can cause is reported with its document, field path and, where obvious, the fix.</summary>
public sealed class ResourceValidationTests
{
    private const string PeerHead = """
        apiVersion: routing.dev/v1
        kind: BGPPeer
        metadata:
          name: rack1-tor
        spec:

        """;

    private const string NodeHead = """
        apiVersion: routing.dev/v1
        kind: RoutingNode
        metadata:
          name: node-1
        spec:

        """;

    private const string ConfigurationHead = """
        apiVersion: routing.dev/v1
        kind: BGPConfiguration
        metadata:
          name: default
        spec:

        """;

    private static IReadOnlyList<ResourceError> Errors(string yaml)
    {
        var e = Assert.Throws<ResourceValidationException>(() => ResourceFile.Parse(yaml, "bgp.yaml"));
        Assert.False(ResourceFile.TryParse(yaml, "bgp.yaml", out var set, out var errors));
        Assert.Null(set);
        Assert.Equal(e.Errors, errors);
        return e.Errors;
    }

    private static string Error(string yaml) => Assert.Single(Errors(yaml)).Message;

    private static string Peer(string spec) => PeerHead + spec;

    private static string ValidPeer(string extra) => Peer("  peerIP: 192.0.2.1\n  asNumber: 65000\n" + extra);

    [Fact]
    public void An_AS_number_out_of_range_names_document_kind_name_and_field()
    {
        var yaml = "apiVersion: v1\nkind: Namespace\nmetadata: {name: a}\n---\n---\n" + Peer("  peerIP: 192.0.2.1\n  asNumber: 4294967296\n");

        var error = Assert.Single(Errors(yaml));

        Assert.Equal("bgp.yaml: document 3 (BGPPeer rack1-tor): spec.asNumber: 4294967296 is not an AS number (0 < AS ≤ 4294967295)", error.Message);
        Assert.Equal((3, "BGPPeer", "rack1-tor", "spec.asNumber"), (error.Document, error.Kind, error.Name, error.Field));
        Assert.Equal((12, 13), (error.Line, error.Column));
    }

    [Theory]
    [InlineData("0")]
    [InlineData("-1")]
    [InlineData("abc")]
    [InlineData("65536.1")]
    public void AS_number_zero_negative_or_not_a_number_is_rejected(string asn)
    {
        Assert.Equal(
            $"bgp.yaml: document 1 (BGPPeer rack1-tor): spec.asNumber: {asn} is not an AS number (0 < AS ≤ 4294967295)",
            Error(Peer($"  peerIP: 192.0.2.1\n  asNumber: {asn}\n")));
    }

    [Fact]
    public void A_YAML_syntax_error_gives_line_and_column()
    {
        var error = Assert.Single(Errors(ConfigurationHead + "  listenPort: 179\n   bad: indent\n"));

        Assert.Equal((1, 7, 7), (error.Document, error.Line, error.Column));
        Assert.Null(error.Field);
        Assert.StartsWith("bgp.yaml: document 1, line 7, column 7: YAML syntax error: ", error.Message, StringComparison.Ordinal);
        Assert.Contains("check the indentation", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_syntax_error_in_a_later_document_names_that_document()
    {
        var message = Error("apiVersion: v1\nkind: A\nmetadata: {name: a}\n---\napiVersion: v1\nkind: A\nmetadata:\n\tname: b\n");

        Assert.StartsWith("bgp.yaml: document 2, line 8, column 1: YAML syntax error:", message, StringComparison.Ordinal);
        Assert.Contains("spaces", message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("a: [1, 2\nb: 3\n", 1)]
    [InlineData("a: 'unterminated\n", 1)]
    [InlineData("a: b: c\n", 1)]
    [InlineData("a: 1\na: 2\n", 2)]
    public void Malformed_YAML_is_a_located_syntax_error(string yaml, int line)
    {
        var error = Assert.Single(Errors(yaml));

        Assert.Equal(line, error.Line);
        Assert.True(error.Column > 0);
        Assert.Contains("YAML syntax error", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Missing_apiVersion_kind_and_name_are_each_reported()
    {
        var errors = Errors("""
            kind: BGPPeer
            metadata: {}
            ---
            apiVersion: v1
            metadata: {name: x}
            ---
            apiVersion: v1
            kind: ConfigMap
            """).Select(e => e.Message).ToArray();

        Assert.Equal(
            [
                "bgp.yaml: document 1 (BGPPeer): apiVersion: required: write apiVersion: routing.dev/v1",
                "bgp.yaml: document 1 (BGPPeer): metadata.name: required: every resource needs a name",
                "bgp.yaml: document 2 (x): kind: required: e.g. kind: BGPPeer",
                "bgp.yaml: document 3 (ConfigMap): metadata: required: every resource needs metadata.name",
            ],
            errors);
    }

    [Fact]
    public void A_document_that_is_not_a_mapping_is_rejected()
    {
        Assert.Equal(
            "bgp.yaml: document 1, line 1, column 1: expected a resource (a mapping with apiVersion, kind, metadata and spec), found a list",
            Error("- a\n- b\n"));
    }

    [Fact]
    public void A_routing_dev_kind_under_another_apiVersion_is_rejected_with_the_right_one()
    {
        var message = Error(PeerHead.Replace("routing.dev/v1", "projectcalico.org/v3", StringComparison.Ordinal) + "  peerIP: 192.0.2.1\n  asNumber: 65000\n");

        Assert.Equal(
            "bgp.yaml: document 1 (BGPPeer rack1-tor): apiVersion: projectcalico.org/v3 does not serve BGPPeer; " +
            "write apiVersion: routing.dev/v1 (Routing reads Calico's fields under its own group)",
            message);
    }

    [Fact]
    public void A_misspelt_routing_dev_kind_is_rejected_with_a_suggestion()
    {
        Assert.Equal(
            "bgp.yaml: document 1 (BgpPeer x): kind: BgpPeer is not a routing.dev kind; did you mean BGPPeer?",
            Error("apiVersion: routing.dev/v1\nkind: BgpPeer\nmetadata: {name: x}\n"));
    }

    [Theory]
    [InlineData("ipv4Address: 10.0.0.1", "spec.ipv4Address: 10.0.0.1 is not an IPv4 address in CIDR form (add the subnet's length, e.g. 10.0.0.1/24)")]
    [InlineData("ipv4Address: 10.0.0.1/33", "spec.ipv4Address: 10.0.0.1/33 is not an IPv4 address in CIDR form (e.g. 10.0.0.1/24)")]
    [InlineData("ipv4Address: 10.0.0/24", "spec.ipv4Address: 10.0.0/24 is not an IPv4 address in CIDR form (e.g. 10.0.0.1/24)")]
    [InlineData("ipv4Address: 2001:db8::1/64", "spec.ipv4Address: 2001:db8::1/64 is an IPv6 address; ipv4Address takes an IPv4 address like 10.0.0.1/24")]
    [InlineData("ipv6Address: 10.0.0.1/24", "spec.ipv6Address: 10.0.0.1/24 is an IPv4 address; ipv6Address takes an IPv6 address like 2001:db8::1/64")]
    [InlineData("ipv6Address: 2001:db8::zz/64", "spec.ipv6Address: 2001:db8::zz/64 is not an IPv6 address in CIDR form (e.g. 2001:db8::1/64)")]
    [InlineData("advertise: [10.1.0.1/16]", "spec.advertise[0]: 10.1.0.1/16 has host bits set; did you mean 10.1.0.0/16?")]
    [InlineData("advertise: [10.2.0.0/16, banana]", "spec.advertise[1]: banana is not a prefix in CIDR form (e.g. 10.1.0.0/16 or 2001:db8:1::/48)")]
    [InlineData("advertise: [fd00::1]", "spec.advertise[0]: fd00::1 is not a prefix in CIDR form (add the length, e.g. fd00::1/128 for one address)")]
    [InlineData("advertise: [10.2.0.0/16, 10.2.0.0/16]", "spec.advertise[1]: 10.2.0.0/16 is listed twice")]
    [InlineData("advertise: 10.0.0.0/8", "spec.advertise: expected a list, found '10.0.0.0/8'")]
    [InlineData("routeReflectorClusterID: 1.2.3", "spec.routeReflectorClusterID: 1.2.3 is not an IPv4 address (e.g. 192.0.2.1)")]
    public void Bad_node_addresses_and_prefixes_are_rejected(string field, string expected)
    {
        Assert.Equal($"bgp.yaml: document 1 (RoutingNode node-1): {expected}", Error(NodeHead + "  " + field + "\n"));
    }

    [Theory]
    [InlineData("10.0.0.300", "10.0.0.300 is not an IP address")]
    [InlineData("10.1", "10.1 is not an IP address")]
    [InlineData("010.0.0.1", "010.0.0.1 is not an IP address")]
    [InlineData("fe80::1%eth0", "fe80::1%eth0 is not an IP address")]
    [InlineData("2001:db8::1:179x", "2001:db8::1:179x is not an IP address")]
    [InlineData("192.0.2.1:0", "192.0.2.1:0 has a bad port (1–65535)")]
    [InlineData("192.0.2.1:70000", "192.0.2.1:70000 has a bad port (1–65535)")]
    [InlineData("\"[2001:db8::1]:x\"", "[2001:db8::1]:x has a bad port (1–65535)")]
    public void Bad_peer_addresses_and_ports_are_rejected(string peerIP, string expected)
    {
        var message = Error(Peer($"  peerIP: {peerIP}\n  asNumber: 65000\n"));

        Assert.StartsWith($"bgp.yaml: document 1 (BGPPeer rack1-tor): spec.peerIP: {expected}", message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_bad_listen_port_is_rejected()
    {
        Assert.Equal(
            "bgp.yaml: document 1 (BGPConfiguration default): spec.listenPort: 0 is not a port (1–65535)",
            Error(ConfigurationHead + "  listenPort: 0\n"));
    }

    [Theory]
    [InlineData("holdTime: 30", "spec.holdTime: 30 is not a duration: missing unit (write 30s for seconds)")]
    [InlineData("holdTime: 30 seconds", "spec.holdTime: \"30 seconds\" is not a duration (expected e.g. 30s, 1m30s or 90s)")]
    [InlineData("keepaliveTime: 10x", "spec.keepaliveTime: 10x is not a duration: unknown unit 'x' (use h, m, s, ms, us or ns)")]
    [InlineData("holdTime: 1500ms", "spec.holdTime: 1.5s is not a whole number of seconds, which BGP timers are (e.g. 2s)")]
    [InlineData("holdTime: -30s", "spec.holdTime: -30s is negative")]
    [InlineData("holdTime: 20h", "spec.holdTime: 20h0m0s is too long: BGP timers are at most 65535s (18h12m15s)")]
    public void Bad_durations_are_rejected(string field, string expected)
    {
        Assert.Equal($"bgp.yaml: document 1 (BGPPeer rack1-tor): {expected}", Error(ValidPeer("  " + field + "\n")));
    }

    [Theory]
    [InlineData("1s")]
    [InlineData("2s")]
    public void A_hold_time_of_one_or_two_seconds_is_rejected(string hold)
    {
        Assert.Equal(
            $"bgp.yaml: document 1 (BGPPeer rack1-tor): spec.holdTime: {hold} is not allowed: the hold time must be 0 (no keepalives) or at least 3s (RFC 4271 §4.2)",
            Error(ValidPeer($"  holdTime: {hold}\n")));
    }

    [Theory]
    [InlineData("0s")]
    [InlineData("0")]
    [InlineData("3s")]
    [InlineData("1m30s")]
    [InlineData("18h12m15s")]
    public void Hold_times_of_zero_or_three_seconds_and_more_are_accepted(string hold)
    {
        var peer = Assert.Single(ResourceFile.Parse(ValidPeer($"  holdTime: {hold}\n"), "bgp.yaml").BgpPeers);

        Assert.Equal(GoDuration.Parse(hold), peer.HoldTime);
    }

    [Fact]
    public void Keepalive_must_be_less_than_the_hold_time()
    {
        Assert.Equal(
            "bgp.yaml: document 1 (BGPPeer rack1-tor): spec.keepaliveTime: 30s must be less than holdTime (30s); a third of it (10s) is usual",
            Error(ValidPeer("  holdTime: 30s\n  keepaliveTime: 30s\n")));
        Assert.Equal(
            "bgp.yaml: document 1 (BGPPeer rack1-tor): spec.keepaliveTime: 2m0s must be less than the default hold time (1m30s); a third of it (30s) is usual",
            Error(ValidPeer("  keepaliveTime: 2m\n")));
        Assert.Single(ResourceFile.Parse(ValidPeer("  holdTime: 0s\n  keepaliveTime: 2m\n"), "bgp.yaml").BgpPeers);
    }

    [Fact]
    public void Duplicate_names_within_a_kind_are_rejected()
    {
        var yaml = NodeHead + "  asNumber: 1\n---\n" + NodeHead + "  asNumber: 2\n";

        var error = Assert.Single(Errors(yaml));

        Assert.Equal(
            "bgp.yaml: document 2 (RoutingNode node-1): metadata.name: duplicate RoutingNode node-1 (first in document 1); names must be unique within a kind",
            error.Message);
        Assert.Equal(11, error.Line);
    }

    [Fact]
    public void The_same_name_in_two_kinds_or_two_namespaces_is_fine()
    {
        var set = ResourceFile.Parse(
            "apiVersion: routing.dev/v1\nkind: RoutingNode\nmetadata: {name: a}\n---\n" +
            "apiVersion: routing.dev/v1\nkind: BGPPeer\nmetadata: {name: a}\nspec: {peerIP: 192.0.2.1, asNumber: 1}\n---\n" +
            "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a, namespace: x}\n---\n" +
            "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a, namespace: y}\n",
            "bgp.yaml");

        Assert.Equal((1, 1, 2), (set.Nodes.Count, set.BgpPeers.Count, set.OpaqueResources.Count));
    }

    [Fact]
    public void Unknown_spec_fields_are_rejected_with_a_suggestion_and_the_known_fields()
    {
        var errors = Errors(ValidPeer("  peerIp: 192.0.2.2\n  frobnicate: 1\n")).Select(e => e.Message).ToArray();

        const string Fields = "(BGPPeer spec fields: asNumber, holdTime, keepaliveTime, node, nodeSelector, passive, password, peerIP, peerSelector, sourceAddress)";
        Assert.Equal(
            [
                $"bgp.yaml: document 1 (BGPPeer rack1-tor): spec.peerIp: unknown field; did you mean peerIP? {Fields}",
                $"bgp.yaml: document 1 (BGPPeer rack1-tor): spec.frobnicate: unknown field {Fields}",
            ],
            errors);
    }

    [Fact]
    public void Unknown_fields_are_rejected_in_every_typed_kind_and_in_metadata()
    {
        Assert.StartsWith(
            "bgp.yaml: document 1 (BGPConfiguration default): spec.routerID: unknown field; did you mean routerId?",
            Error(ConfigurationHead + "  routerID: 10.0.0.1\n"), StringComparison.Ordinal);
        Assert.StartsWith(
            "bgp.yaml: document 1 (RoutingNode node-1): spec.bgp: unknown field (RoutingNode spec fields: advertise, asNumber,",
            Error(NodeHead + "  bgp: {ipv4Address: 10.0.0.1/24}\n"), StringComparison.Ordinal);
        Assert.StartsWith(
            "bgp.yaml: document 1 (RoutingNode node-1): metadata.lables: unknown field; did you mean labels?",
            Error(NodeHead.Replace("  name: node-1\n", "  name: node-1\n  lables: {rack: r1}\n", StringComparison.Ordinal)), StringComparison.Ordinal);
        Assert.StartsWith(
            "bgp.yaml: document 1 (RoutingNode node-1): specs: unknown field; did you mean spec?",
            Error(NodeHead.Replace("spec:", "specs:", StringComparison.Ordinal)), StringComparison.Ordinal);
    }

    [Fact]
    public void Unknown_fields_in_opaque_kinds_are_left_to_their_later_readers()
    {
        Assert.Single(ResourceFile.Parse("apiVersion: routing.dev/v1\nkind: IPPool\nmetadata: {name: p, whatever: 1}\nspec: {anything: 1}\n", "bgp.yaml").OpaqueResources);
    }

    [Theory]
    [InlineData("rack = 'a'", "use '==' to compare, as in rack == 'value' (at column 6 of \"rack = 'a'\")")]
    [InlineData("rack == a", "label values must be quoted, as in rack == 'value' (at column 9 of \"rack == a\")")]
    [InlineData("\"has(a) &&\"", "unexpected end; expected a label key, has(key), all(), '!' or '(' (at column 10 of \"has(a) &&\")")]
    [InlineData("rack in {'a'}", "'in' is not supported by this build; write rack == 'a' || rack == 'b' instead of sets, or use has(rack) (at column 6 of \"rack in {'a'}\")")]
    public void Node_selector_syntax_errors_are_reported(string selector, string expected)
    {
        Assert.Equal(
            $"bgp.yaml: document 1 (BGPPeer rack1-tor): spec.nodeSelector: {expected}",
            Error(ValidPeer($"  nodeSelector: {selector}\n")));
    }

    [Fact]
    public void Peer_fields_that_exclude_each_other_are_rejected()
    {
        Assert.Equal(
            "bgp.yaml: document 1 (BGPPeer rack1-tor): spec.nodeSelector: set either node (one node) or nodeSelector (some nodes), not both",
            Error(ValidPeer("  node: node-1\n  nodeSelector: all()\n")));
        Assert.Equal(
            [
                "bgp.yaml: document 1 (BGPPeer rack1-tor): spec.asNumber: remove it: with peerSelector, each selected node's own AS number is used",
                "bgp.yaml: document 1 (BGPPeer rack1-tor): spec.peerSelector: set either peerIP (one neighbour) or peerSelector (nodes as neighbours), not both",
            ],
            Errors(ValidPeer("  peerSelector: all()\n")).Select(e => e.Message));
    }

    [Fact]
    public void A_peer_needs_an_address_and_an_AS_number()
    {
        Assert.Equal(
            [
                "bgp.yaml: document 1 (BGPPeer rack1-tor): spec.peerIP: required: the neighbour's address, e.g. peerIP: 192.0.2.1 (or set peerSelector to peer with other nodes)",
                "bgp.yaml: document 1 (BGPPeer rack1-tor): spec.asNumber: required: the neighbour's AS number, e.g. asNumber: 64513",
            ],
            Errors(PeerHead).Select(e => e.Message));
    }

    [Theory]
    [InlineData("sourceAddress: UseNodeIp", "spec.sourceAddress: UseNodeIp is not UseNodeIP, None or an IP address")]
    [InlineData("password: {secretKeyRef: {name: a, key: b}}", "spec.password: secretKeyRef is not supported by this build; write the password itself: password: \"…\"")]
    [InlineData("password: \"\"", "spec.password: empty password; remove the field for no password")]
    [InlineData("passive: yes", "spec.passive: yes is not a boolean (write true or false)")]
    [InlineData("node: Node_1", "spec.node: Node_1 is not a node name (lowercase letters, digits, '-' and '.', starting and ending with a letter or digit, at most 253 characters)")]
    public void Bad_peer_options_are_rejected(string field, string expected)
    {
        Assert.Equal($"bgp.yaml: document 1 (BGPPeer rack1-tor): {expected}", Error(ValidPeer("  " + field + "\n")));
    }

    [Theory]
    [InlineData("nodeToNodeMeshEnabled: maybe", "spec.nodeToNodeMeshEnabled: maybe is not a boolean (write true or false)")]
    [InlineData("logSeverityScreen: loud", "spec.logSeverityScreen: loud is not a log severity (use Debug, Info, Warning, Error, Fatal)")]
    [InlineData("routerId: 2001:db8::1", "spec.routerId: 2001:db8::1 is not an IPv4 address (e.g. 192.0.2.1)")]
    [InlineData("asNumber: [1]", "spec.asNumber: expected an AS number, found a list")]
    public void Bad_BGP_configuration_fields_are_rejected(string field, string expected)
    {
        Assert.Equal($"bgp.yaml: document 1 (BGPConfiguration default): {expected}", Error(ConfigurationHead + "  " + field + "\n"));
    }

    [Fact]
    public void Names_must_be_DNS_subdomains_and_routing_dev_kinds_are_cluster_scoped()
    {
        var errors = Errors(PeerHead.Replace("  name: rack1-tor\n", "  name: Rack1\n  namespace: default\n", StringComparison.Ordinal) +
            "  peerIP: 192.0.2.1\n  asNumber: 65000\n").Select(e => e.Message).ToArray();

        Assert.Equal(
            [
                "bgp.yaml: document 1 (BGPPeer Rack1): metadata.name: Rack1 is not a valid name (lowercase letters, digits, '-' and '.', starting and ending with a letter or digit, at most 253 characters)",
                "bgp.yaml: document 1 (BGPPeer Rack1): metadata.namespace: BGPPeer is cluster-scoped; remove metadata.namespace",
            ],
            errors);
    }

    [Fact]
    public void Every_problem_in_the_file_is_listed_in_file_order_and_nothing_is_returned()
    {
        var yaml = NodeHead + "  ipv4Address: 10.0.0.1/24\n---\n" +
            ConfigurationHead + "  listenPort: 0\n  asNumber: 0\n---\n" +
            ValidPeer("  holdTime: 2s\n");

        var e = Assert.Throws<ResourceValidationException>(() => ResourceFile.Parse(yaml, "bgp.yaml"));

        Assert.Equal(["spec.listenPort", "spec.asNumber", "spec.holdTime"], e.Errors.Select(error => error.Field));
        Assert.Equal([2, 2, 3], e.Errors.Select(error => error.Document ?? 0));
        Assert.StartsWith("3 problems:", e.Message, StringComparison.Ordinal);
        Assert.Contains("  bgp.yaml: document 3 (BGPPeer rack1-tor): spec.holdTime: 2s is not allowed", e.Message, StringComparison.Ordinal);
    }
}
