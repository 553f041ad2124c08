using System.Diagnostics;
using System.Net;
using Routing.Agent.Datastore.FileStore;
using Routing.Agent.Ipam;

namespace Routing.Agent.Tests.Ipam;

/// <summary>
/// The file store shared by separate OS processes (two agents' allocators, tests/Ipam.FileWorker):
/// only the fcntl lock and compare-and-swap keep them apart.
/// </summary>
public sealed class FileIpamProcessTests : IAsyncLifetime
{
    private static readonly string WorkerDll = Path.Combine(AppContext.BaseDirectory, "Routing.Ipam.FileWorker.dll");
    private static readonly TimeSpan Patience = TimeSpan.FromMinutes(3);

    private readonly string directory = Directory.CreateTempSubdirectory("routing-ipam-processes-").FullName;
    private readonly List<Process> workers = [];
    private FileResourceStore? files;

    private string ResourceFile => Path.Combine(directory, "cluster.yaml");

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        foreach (var worker in workers)
        {
            // Only the workers this test started, by their own process handles.
            if (!worker.HasExited)
            {
                worker.Kill(entireProcessTree: true);
                await worker.WaitForExitAsync();
            }

            worker.Dispose();
        }

        if (files is not null)
        {
            await files.DisposeAsync();
        }

        Directory.Delete(directory, recursive: true);
    }

    [Theory]
    [InlineData("n1", "n1")]
    [InlineData("n1", "n2")]
    public async Task Two_processes_allocating_at_once_on_one_file_never_hand_out_an_address_twice(string firstNode, string secondNode)
    {
        files = new FileResourceStore(ResourceFile);
        var observer = new ResourceIpamStore(files);
        await IpamRun.AddPoolAsync(observer, "pods", "10.152.0.0/22");

        var first = Start(firstNode, "p1", 300);
        var second = Start(secondNode, "p2", 300);
        Assert.Equal("ready", await first.StandardOutput.ReadLineAsync());
        Assert.Equal("ready", await second.StandardOutput.ReadLineAsync());
        await first.StandardInput.WriteLineAsync("go");
        await second.StandardInput.WriteLineAsync("go");
        var outputs = await Task.WhenAll(FinishAsync(first), FinishAsync(second));

        var allocations = outputs.SelectMany(o => o).ToList();
        Assert.Equal(600, allocations.Count);
        Assert.Equal(600, allocations.Select(a => a.Address).Distinct().Count());
        var blocks = (await observer.Blocks.ListAsync()).Select(b => b.Value).ToList();
        Assert.Equal(600, blocks.Sum(b => b.AllocatedCount));
        foreach (var (handle, address) in allocations)
        {
            Assert.Equal(handle, blocks.Single(b => b.Cidr.Contains(address)).AllocationOf(address)?.HandleId);
            Assert.Equal(1, (await observer.Handles.GetAsync(handle))?.Value.Total);
        }

        var run = new IpamRun(observer, []);
        await run.AssertCleanAsync(allocations.Select(a => a.Handle).ToHashSet());

        var allocator = IpamRun.Allocator(observer, seed: 3);
        foreach (var (handle, address) in allocations)
        {
            Assert.Equal(address, Assert.Single(await allocator.ReleaseByHandleAsync(handle)).Address);
        }

        await allocator.ReleaseEmptyBlocksAsync(firstNode);
        await allocator.ReleaseEmptyBlocksAsync(secondNode);
        Assert.Empty(await observer.Blocks.ListAsync());
        Assert.Empty(await observer.Handles.ListAsync());
    }

    private Process Start(string node, string prefix, int count)
    {
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in new[] { WorkerDll, ResourceFile, node, prefix, count.ToString(System.Globalization.CultureInfo.InvariantCulture), "16" })
        {
            start.ArgumentList.Add(argument);
        }

        var worker = Process.Start(start) ?? throw new InvalidOperationException("dotnet did not start");
        workers.Add(worker);
        return worker;
    }

    private static async Task<List<(string Handle, IPAddress Address)>> FinishAsync(Process worker)
    {
        using var timeout = new CancellationTokenSource(Patience);
        var output = worker.StandardOutput.ReadToEndAsync(timeout.Token);
        var error = worker.StandardError.ReadToEndAsync(timeout.Token);
        await worker.WaitForExitAsync(timeout.Token);
        Assert.True(worker.ExitCode == 0, $"worker exited {worker.ExitCode}: {await error}");
        return [.. (await output).Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(line => line.Split(' ')).Select(f => (f[0], IPAddress.Parse(f[1])))];
    }
}
