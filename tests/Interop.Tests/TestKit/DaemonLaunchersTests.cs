using Routing.TestKit.Daemons;
using Routing.TestKit.Namespaces;
using Xunit.Abstractions;

namespace Routing.Interop.Tests.TestKit;

/// <summary>The launchers for FRR, ExaBGP and etcd work against the real daemons.</summary>
[Trait("Category", "Netns")]
public sealed class DaemonLaunchersTests(ITestOutputHelper output)
{
    [SkippableFact]
    public async Task ExaBGP_announces_to_FRR_and_withdraws_at_run_time()
    {
        await using var lab = new Topology(output);
        var frrNs = await lab.AddNamespaceAsync("frr");
        var exaNs = await lab.AddNamespaceAsync("exabgp");
        await lab.LinkAsync(frrNs, "10.0.1.1/30", exaNs, "10.0.1.2/30");

        var frr = lab.Add(await FrrDaemon.StartAsync(frrNs, """
            router bgp 65101
             bgp router-id 10.0.1.1
             no bgp ebgp-requires-policy
             neighbor 10.0.1.2 remote-as 65102
             neighbor 10.0.1.2 timers 3 9
             neighbor 10.0.1.2 timers connect 1
            """));
        var exabgp = lab.Add(await ExaBgpDaemon.StartAsync(exaNs, """
            neighbor 10.0.1.1 {
              router-id 10.0.1.2;
              local-address 10.0.1.2;
              local-as 65102;
              peer-as 65101;
              hold-time 9;
              api { processes [ control ]; }
            }
            """));

        await lab.UntilAsync("FRR's session with ExaBGP to be Established", async _ =>
            await frr.NeighborStateAsync("10.0.1.2") == "Established");

        await exabgp.SendAsync("announce route 10.98.0.0/24 next-hop self");
        await lab.UntilAsync("10.98.0.0/24 in FRR's table", async _ => (await frr.RibPrefixesAsync()).Contains("10.98.0.0/24"));

        await exabgp.SendAsync("withdraw route 10.98.0.0/24 next-hop self");
        await lab.UntilAsync("10.98.0.0/24 gone from FRR's table", async _ => !(await frr.RibPrefixesAsync()).Contains("10.98.0.0/24"));
    }

    [SkippableFact]
    public async Task Etcd_on_host_loopback_stores_and_returns_a_key()
    {
        await using var lab = new Topology(output);
        var etcd = lab.Add(await EtcdDaemon.StartAsync());
        Assert.Equal("127.0.0.1", etcd.ClientUrl.Host);

        (await etcd.EtcdctlAsync("put", "/routing/test", "hello")).EnsureSuccess();
        var value = (await etcd.EtcdctlAsync("get", "/routing/test", "--print-value-only")).EnsureSuccess().StandardOutput;
        Assert.Equal("hello", value.Trim());
    }

    [SkippableFact]
    public async Task Etcd_inside_a_namespace_answers_on_that_namespace_loopback()
    {
        await using var lab = new Topology(output);
        var ns = await lab.AddNamespaceAsync("etcd");
        var etcd = lab.Add(await EtcdDaemon.StartAsync(ns));

        (await etcd.EtcdctlAsync("put", "k", "v")).EnsureSuccess();
        var fromInside = await ns.RunAsync("env", "ETCDCTL_API=3", "etcdctl", "--endpoints", "http://127.0.0.1:2379", "get", "k", "--print-value-only");
        Assert.Equal("v", fromInside.EnsureSuccess().StandardOutput.Trim());
    }
}
