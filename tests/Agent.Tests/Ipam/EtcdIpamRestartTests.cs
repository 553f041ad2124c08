using System.Collections.Concurrent;
using Routing.Agent.Datastore.Etcd;
using Routing.Agent.Ipam;
using Routing.Agent.Tests.Datastore.Etcd;
using Routing.Ipam.Allocation;

namespace Routing.Agent.Tests.Ipam;

/// <summary>An etcd of its own for the test that stops it in the middle of a run.</summary>
public sealed class IpamRestartEtcdFixture : EtcdFixture;

/// <summary>Allocation while etcd goes away and comes back (stopped by PID, restarted on the same data and port).</summary>
public sealed class EtcdIpamRestartTests(IpamRestartEtcdFixture etcd) : IClassFixture<IpamRestartEtcdFixture>
{
    // A stopped etcd refuses or resets at once; the request timeout only has to outlast a slow
    // answer on a loaded machine (2 s did not, after the restart).
    private static readonly EtcdStoreOptions Quick = new()
    {
        RequestTimeout = TimeSpan.FromSeconds(10),
        ConnectTimeout = TimeSpan.FromSeconds(1),
    };

    /// <summary>
    /// What fails during the outage fails with an IOException naming etcd (the allocator does not
    /// retry I/O errors; a write lost in flight may or may not have been applied). The caller then
    /// does what the kubelet does after a failed CNI ADD: DEL (release by handle) until it works, and
    /// ADD again. Every request ends with exactly one address, and nothing is left over.
    /// </summary>
    [Fact]
    public async Task Allocations_survive_an_etcd_restart_in_the_middle_of_a_concurrent_run()
    {
        string[] names = ["n1", "n2", "n3"];
        var clients = names.Select(_ => new EtcdResourceStore([etcd.Endpoint], Quick)).ToList();
        await using var observerClient = new EtcdResourceStore([etcd.Endpoint], Quick);
        try
        {
            var observer = new ResourceIpamStore(observerClient);
            await IpamRun.AddPoolAsync(observer, "pods", "10.140.0.0/20");
            var run = new IpamRun(observer, [.. names.Zip(clients, (node, client) => (node, IpamRun.Allocator(new ResourceIpamStore(client), seed: node.GetHashCode(StringComparison.Ordinal))))]);
            var allocators = names.Zip(run.Allocators).ToDictionary(p => p.First, p => p.Second, StringComparer.Ordinal);
            var requests = names.SelectMany(n => Enumerable.Range(0, 200).Select(i => IpamRun.Request($"r-{n}-{i}", n))).ToList();
            var errors = new ConcurrentBag<string>();
            var done = 0;

            async Task<AssignResult> AddAsync(AssignRequest request)
            {
                var allocator = allocators[request.Node];
                while (true)
                {
                    try
                    {
                        var result = await allocator.AutoAssignAsync(request);
                        Interlocked.Increment(ref done);
                        return result;
                    }
                    catch (IOException e)
                    {
                        errors.Add(e.Message);
                    }

                    await DeleteAsync(allocator, request.HandleId);
                }
            }

            // 20 requests in flight per node, as a busy node's CNI calls would be.
            var gates = names.ToDictionary(n => n, _ => new SemaphoreSlim(20), StringComparer.Ordinal);
            var running = requests.Select(async r =>
            {
                await gates[r.Node].WaitAsync();
                try
                {
                    return await AddAsync(r);
                }
                finally
                {
                    gates[r.Node].Release();
                }
            }).ToList();

            while (Volatile.Read(ref done) < requests.Count / 3)
            {
                await Task.Delay(10);
            }

            await etcd.Etcd.StopAsync();
            await Task.Delay(TimeSpan.FromSeconds(1));
            await etcd.Etcd.RestartAsync();
            var results = await Task.WhenAll(running).WaitAsync(TimeSpan.FromSeconds(40));

            Assert.NotEmpty(errors);
            Assert.All(errors, e => Assert.Contains("etcd at ", e, StringComparison.Ordinal));
            var allocations = requests.Zip(results, (r, a) => (r, Assert.Single(a.IPv4))).ToList();
            await run.AssertConsistentAsync(allocations);
            await run.ReleaseAllAsync(requests, [.. allocations.Select(a => a.Item2.Address)]);
        }
        finally
        {
            foreach (var client in clients)
            {
                await client.DisposeAsync();
            }
        }
    }

    /// <summary>The CNI DEL after a failed ADD, repeated until etcd answers.</summary>
    private static async Task DeleteAsync(IpamAllocator allocator, string handle)
    {
        while (true)
        {
            try
            {
                await allocator.ReleaseByHandleAsync(handle);
                return;
            }
            catch (IOException)
            {
                await Task.Delay(50);
            }
        }
    }
}
