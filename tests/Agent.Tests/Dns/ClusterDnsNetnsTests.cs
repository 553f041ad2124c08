using System.Net;
using System.Text.RegularExpressions;
using Microsoft.Extensions.Logging.Abstractions;
using Routing.Agent.Datastore.Memory;
using Routing.Agent.Datastore.Store;
using Routing.Agent.Dns;
using Routing.Agent.Dns.Cluster;
using Routing.TestKit;
using Routing.TestKit.Namespaces;
using Routing.TestKit.Processes;
using Xunit.Abstractions;

namespace Routing.Agent.Tests.Dns;

/// <summary>
/// Cluster DNS as a pod sees it: the agent's DNS service in a namespace of its own, fed from a
/// datastore, asked with <c>dig</c>; names outside the cluster go to a dnsmasq in the same namespace.
/// </summary>
[Trait("Category", "Netns")]
public sealed partial class ClusterDnsNetnsTests(ITestOutputHelper output)
{
    private const string Server = "10.53.0.1";
    private const string Upstream = "10.53.0.2";

    private static readonly string ManySlice =
        """{"apiVersion":"discovery.k8s.io/v1","kind":"EndpointSlice","metadata":{"name":"many-1","namespace":"big","labels":{"kubernetes.io/service-name":"many"}},"addressType":"IPv4","endpoints":["""
        + string.Join(',', Enumerable.Range(1, 100).Select(i => "{\"addresses\":[\"10.244.9." + i.ToString(System.Globalization.CultureInfo.InvariantCulture) + "\"]}"))
        + "]}";

    private static readonly string[] Documents =
    [
        """{"apiVersion":"v1","kind":"Service","metadata":{"name":"web","namespace":"shop"},"spec":{"clusterIP":"10.96.0.10","clusterIPs":["10.96.0.10","fd00:96::10"],"ports":[{"name":"http","protocol":"TCP","port":80}]}}""",
        """{"apiVersion":"v1","kind":"Service","metadata":{"name":"db","namespace":"shop"},"spec":{"clusterIP":"None","ports":[{"name":"pg","port":5432}]}}""",
        """{"apiVersion":"v1","kind":"Service","metadata":{"name":"mail","namespace":"shop"},"spec":{"type":"ExternalName","externalName":"smtp.outside.test"}}""",
        """{"apiVersion":"v1","kind":"Service","metadata":{"name":"many","namespace":"big"},"spec":{"clusterIP":"None"}}""",
        """{"apiVersion":"discovery.k8s.io/v1","kind":"EndpointSlice","metadata":{"name":"db-1","namespace":"shop","labels":{"kubernetes.io/service-name":"db"}},"addressType":"IPv4","endpoints":[{"addresses":["10.244.1.5"],"hostname":"db-0"},{"addresses":["10.244.2.6"],"conditions":{"ready":true}},{"addresses":["10.244.3.7"],"conditions":{"ready":false}}],"ports":[{"name":"pg","protocol":"TCP","port":5432}]}""",
        ManySlice,
        """{"apiVersion":"v1","kind":"Pod","metadata":{"name":"web-1","namespace":"shop"},"status":{"phase":"Running","podIPs":[{"ip":"10.244.2.5"},{"ip":"fd00:244::2:5"}]}}""",
    ];

    [SkippableFact]
    public async Task DigGetsEveryRecordTypeNameErrorsNoDataTruncationAndForwardedNames()
    {
        await using var ns = await NetNs.CreateAsync("dns");
        await ns.IpAsync("link", "add", "dns0", "type", "veth", "peer", "name", "dns1");
        await ns.AddAddressAsync("dns0", $"{Server}/24");
        await ns.AddAddressAsync("dns0", $"{Upstream}/24");
        await ns.SetUpAsync("dns0");
        await ns.SetUpAsync("dns1");

        var work = TestRun.NewDirectory("dns");
        var upstream = ns.StartProcess("dnsmasq", "dnsmasq", [
            "--keep-in-foreground", "--no-resolv", "--no-hosts", "--bind-interfaces", $"--listen-address={Upstream}", "--port=53",
            "--address=/outside.test/192.0.2.7", "--local-ttl=60", "--user=root", $"--pid-file={work}/dnsmasq.pid", "--log-facility=-",
        ]);
        var resolvConf = Path.Combine(work, "resolv.conf");
        await File.WriteAllTextAsync(resolvConf, $"search example\nnameserver {Server}\nnameserver {Upstream}\n");

        var store = new MemoryResourceStore();
        foreach (var json in Documents)
        {
            var kind = KindOf().Match(json).Groups[1].Value;
            var meta = NameOf().Match(json);
            await store.CreateAsync(new ResourceKey(kind, meta.Groups[2].Value, meta.Groups[1].Value), json);
        }

        var settings = new DnsSettings { Listen = new IPEndPoint(IPAddress.Parse(Server), 53), ResolvConf = resolvConf };
        await using var dns = DnsService.Start(settings, store, NullLoggerFactory.Instance, (family, type, protocol) => ns.CreateSocket(family, type, protocol));

        async Task<string> Dig(params string[] arguments)
        {
            var result = await ns.RunAsync("dig", [$"@{Server}", "+time=4", "+tries=2", .. arguments]);
            output.WriteLine($"$ dig {string.Join(' ', arguments)}\n{result.StandardOutput}");
            return result.EnsureSuccess().StandardOutput;
        }

        async Task<string[]> Short(params string[] arguments) =>
            (await Dig(["+short", .. arguments])).Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Order(StringComparer.Ordinal).ToArray();

        // The zone follows the store: wait for its first calculation.
        for (var i = 0; i < 100 && (await Short("web.shop.svc.cluster.local")).Length == 0; i++)
        {
            await Task.Delay(100);
        }

        Assert.Equal(["10.96.0.10"], await Short("web.shop.svc.cluster.local", "A"));
        Assert.Equal(["fd00:96::10"], await Short("WEB.Shop.svc.cluster.local", "AAAA"));
        Assert.Equal(["0 100 80 web.shop.svc.cluster.local."], await Short("_http._tcp.web.shop.svc.cluster.local", "SRV"));
        Assert.Equal(["10.244.1.5", "10.244.2.6"], await Short("db.shop.svc.cluster.local", "A"));
        Assert.Equal(["10.244.1.5"], await Short("db-0.db.shop.svc.cluster.local", "A"));
        Assert.Equal(["0 50 5432 10-244-2-6.db.shop.svc.cluster.local.", "0 50 5432 db-0.db.shop.svc.cluster.local."], await Short("_pg._tcp.db.shop.svc.cluster.local", "SRV"));
        Assert.Equal(["10.244.2.5"], await Short("10-244-2-5.shop.pod.cluster.local", "A"));
        Assert.Equal(["fd00:244::2:5"], await Short("fd00-244--2-5.shop.pod.cluster.local", "AAAA"));
        Assert.Equal(["web.shop.svc.cluster.local."], await Short("-x", "10.96.0.10"));
        Assert.Equal(["fd00-244--2-5.shop.pod.cluster.local."], await Short("-x", "fd00:244::2:5"));
        Assert.Equal(["10-244-2-5.shop.pod.cluster.local."], await Short("-x", "10.244.2.5"));
        Assert.Equal(["db-0.db.shop.svc.cluster.local."], await Short("-x", "10.244.1.5"));
        Assert.Contains("smtp.outside.test.", await Short("mail.shop.svc.cluster.local", "CNAME"));
        Assert.Equal(["10.96.0.10"], await Short("+tcp", "web.shop.svc.cluster.local", "A"));

        var missing = await Dig("nope.shop.svc.cluster.local", "A");
        Assert.Contains("status: NXDOMAIN", missing, StringComparison.Ordinal);
        Assert.Contains("flags: qr aa rd ra", missing, StringComparison.Ordinal);
        Assert.Matches(@"cluster\.local\.\s+30\s+IN\s+SOA", missing);
        var noData = await Dig("db.shop.svc.cluster.local", "AAAA");
        Assert.Contains("status: NOERROR", noData, StringComparison.Ordinal);
        Assert.Contains("ANSWER: 0, AUTHORITY: 1", noData, StringComparison.Ordinal);
        Assert.Contains("ANSWER: 0, AUTHORITY: 1", await Dig("shop.svc.cluster.local", "A"), StringComparison.Ordinal);

        // 100 addresses: truncated over UDP without EDNS (dig retries over TCP), whole with a large EDNS size.
        var retried = await Dig("+noedns", "many.big.svc.cluster.local", "A");
        Assert.Contains("Truncated, retrying in TCP mode", retried, StringComparison.Ordinal);
        Assert.Contains("ANSWER: 100,", retried, StringComparison.Ordinal);
        var large = await Dig("+bufsize=4096", "many.big.svc.cluster.local", "A");
        Assert.DoesNotContain("Truncated", large, StringComparison.Ordinal);
        Assert.Contains("ANSWER: 100,", large, StringComparison.Ordinal);
        Assert.Contains("udp: 1232", large, StringComparison.Ordinal);
        Assert.Contains("flags: qr aa tc rd ra; QUERY: 1, ANSWER: 0", await Dig("+ignore", "+noedns", "many.big.svc.cluster.local", "A"), StringComparison.Ordinal);

        // Outside the cluster: dnsmasq answers, over UDP and TCP; then from the cache without it.
        Assert.Equal(["192.0.2.7"], await Short("www.outside.test", "A"));
        Assert.Equal(["192.0.2.7"], await Short("+tcp", "ftp.outside.test", "A"));
        Assert.Matches(@"www\.outside\.test\.\s+(60|59|58)\s+IN\s+A\s+192\.0\.2\.7", await Dig("www.outside.test", "A"));
        // An ExternalName is chased upstream: the CNAME, then the external name's address.
        Assert.Equal(["192.0.2.7", "smtp.outside.test."], await Short("mail.shop.svc.cluster.local", "A"));
        Assert.Equal(["192.0.2.7", "smtp.outside.test."], await Short("+tcp", "mail.shop.svc.cluster.local", "A"));
        await upstream.StopAsync(TimeSpan.FromSeconds(5));
        Assert.Equal(["192.0.2.7"], await Short("www.outside.test", "A"));
        Assert.Contains("status: SERVFAIL", await Dig("other.outside.test", "A"), StringComparison.Ordinal);

        // A pod's resolv.conf (as the lab writes it): short names through the search path.
        PodResolvConf.Write(ns.Name, PodResolvConf.Text("shop", Server));
        try
        {
            var search = await ns.RunAsync("dig", ["+search", "+short", "web", "A"]);
            Assert.Equal("10.96.0.10", search.EnsureSuccess().StandardOutput.Trim());
            var other = await ns.RunAsync("dig", ["+search", "+short", "db-0.db", "A"]);
            Assert.Equal("10.244.1.5", other.EnsureSuccess().StandardOutput.Trim());
        }
        finally
        {
            PodResolvConf.Remove(ns.Name);
        }

        // A new service appears in the store: it is answered.
        await store.CreateAsync(new ResourceKey(ClusterNamesFollower.ServiceKind, "shop", "cart"), """{"apiVersion":"v1","kind":"Service","metadata":{"name":"cart","namespace":"shop"},"spec":{"clusterIP":"10.96.0.20"}}""");
        string[] cart = [];
        for (var i = 0; i < 100 && cart.Length == 0; i++)
        {
            await Task.Delay(100);
            cart = await Short("cart.shop.svc.cluster.local", "A");
        }

        Assert.Equal(["10.96.0.20"], cart);
    }

    [GeneratedRegex("\"kind\":\"(\\w+)\"")]
    private static partial Regex KindOf();

    [GeneratedRegex("\"metadata\":\\{\"name\":\"([\\w-]+)\",\"namespace\":\"([\\w-]+)\"")]
    private static partial Regex NameOf();
}
