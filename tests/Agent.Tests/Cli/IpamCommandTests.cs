using System.Net;
using Routing.Agent.Datastore.FileStore;
using Routing.Agent.Ipam;
using Routing.Ipam.Allocation;

namespace Routing.Agent.Tests.Cli;

public sealed class IpamCommandTests : IDisposable
{
    private readonly string directory = Directory.CreateTempSubdirectory("routing-ipam-cli-").FullName;

    private string Path => System.IO.Path.Combine(directory, "resources.yaml");

    private static Task<(int ExitCode, string Output)> RunAsync(params string[] args) => Cli.RunAsync(args);

    [Fact]
    public async Task Show_check_and_release_work_on_what_the_agent_allocated()
    {
        await File.WriteAllTextAsync(Path, """
            apiVersion: routing.dev/v1
            kind: IPPool
            metadata: {name: pods}
            spec: {cidr: 10.244.0.0/24, blockSize: 28}
            """);
        await using (var store = new FileResourceStore(Path))
        {
            var allocator = new IpamAllocator(new ResourceIpamStore(store));
            for (var i = 0; i < 3; i++)
            {
                await allocator.AutoAssignAsync(new AssignRequest { HandleId = $"k8s-pod-network.c{i}.eth0", Node = "node-a", IPv4Count = 1 });
            }
        }

        var (exit, show) = await RunAsync("ipam", "show", "--datastore", "file:" + Path);
        Assert.Equal(0, exit);
        Assert.Contains("10.244.0.0/24", show, StringComparison.Ordinal);
        Assert.Contains("node-a", show, StringComparison.Ordinal);
        var (_, json) = await RunAsync("ipam", "show", "-o", "json", "--datastore", "file:" + Path);
        Assert.Contains("\"allocated\": 3", json, StringComparison.Ordinal);

        Assert.Equal(0, (await RunAsync("ipam", "check", "--datastore", "file:" + Path)).ExitCode);

        var (released, text) = await RunAsync("ipam", "release", "--handle", "k8s-pod-network.c1.eth0", "--datastore", "file:" + Path);
        Assert.Equal(0, released);
        Assert.Matches(@"^released 10\.244\.0\.\d+ \(handle k8s-pod-network\.c1\.eth0\)\n$", text);
        Assert.Equal((0, "nothing to release: not allocated\n"), await RunAsync("ipam", "release", "--handle", "k8s-pod-network.c1.eth0", "--datastore", "file:" + Path));
        Assert.Equal((1, "give either --ip ADDRESS (one or more) or --handle ID"), await RunAsync("ipam", "release", "--datastore", "file:" + Path));
        Assert.Equal((1, "--ip: 'x' is not an IP address"), await RunAsync("ipam", "release", "--ip", "x", "--datastore", "file:" + Path));

        // Releasing by address updates the handle's record too.
        await using (var store = new FileResourceStore(Path))
        {
            var held = await new IpamAllocator(new ResourceIpamStore(store)).GetByHandleAsync("k8s-pod-network.c2.eth0");
            var address = Assert.Single(held).Address;
            Assert.Equal(0, (await RunAsync("ipam", "release", "--ip", address.ToString(), "--datastore", "file:" + Path)).ExitCode);
            Assert.Empty(await new IpamAllocator(new ResourceIpamStore(store)).GetByHandleAsync("k8s-pod-network.c2.eth0"));
            Assert.DoesNotContain(IPAddress.Parse("0.0.0.0"), held.Select(h => h.Address));
        }

        Assert.Equal((0, "IPAM is consistent: no duplicates, orphans or blocks without owners.\n"), await RunAsync("ipam", "check", "--datastore", "file:" + Path));

        // A handle record lost (a datastore restored from an old backup): its allocation is an orphan.
        await using (var store = new FileResourceStore(Path))
        {
            Assert.True(await store.DeleteAsync(Routing.Agent.Datastore.Store.ResourceKey.ClusterScoped("IPAMHandle", "k8s-pod-network.c0.eth0")));
        }

        var (checkExit, report) = await RunAsync("ipam", "check", "--datastore", "file:" + Path);
        Assert.Equal(1, checkExit);
        Assert.Contains("AllocationWithoutHandle", report, StringComparison.Ordinal);
        Assert.Contains("k8s-pod-network.c0.eth0", report, StringComparison.Ordinal);
    }

    public void Dispose() => Directory.Delete(directory, recursive: true);
}
