using System.Globalization;
using Routing.Agent.Datastore.FileStore;
using Routing.Agent.Ipam;
using Routing.Ipam.Allocation;

// Routing.Ipam.FileWorker PATH NODE PREFIX COUNT CONCURRENCY: waits for a line on stdin (so that
// several workers start together), then allocates one IPv4 address to each of the handles
// PREFIX-0 … PREFIX-(COUNT-1) for NODE, CONCURRENCY at a time, and prints "HANDLE ADDRESS BLOCK"
// per allocation. Exit status 0 when every allocation succeeded.
if (args.Length != 5
    || !int.TryParse(args[3], CultureInfo.InvariantCulture, out var count)
    || !int.TryParse(args[4], CultureInfo.InvariantCulture, out var concurrency))
{
    await Console.Error.WriteLineAsync("usage: Routing.Ipam.FileWorker PATH NODE PREFIX COUNT CONCURRENCY");
    return 2;
}

var (path, node, prefix) = (args[0], args[1], args[2]);
var files = new FileResourceStore(path);
await using (files)
{
    var store = new WatchedIpamStore(files);
    await using (store)
    {
        var retries = new IpamRetryPolicy(200, TimeSpan.FromMilliseconds(1), TimeSpan.FromMilliseconds(50));
        var allocator = new IpamAllocator(store, new IpamOptions { Retry = retries }, random: new Random(Environment.ProcessId));
        Console.WriteLine("ready");
        await Console.In.ReadLineAsync();
        var lines = new string[count];
        await Parallel.ForEachAsync(Enumerable.Range(0, count), new ParallelOptions { MaxDegreeOfParallelism = concurrency }, async (i, cancellationToken) =>
        {
            var handle = $"{prefix}-{i}";
            var result = await allocator.AutoAssignAsync(
                new AssignRequest { HandleId = handle, Node = node, IPv4Count = 1, Attributes = new Dictionary<string, string> { ["pod"] = handle } },
                cancellationToken);
            var allocation = result.IPv4.Single();
            lines[i] = $"{handle} {allocation.Address} {allocation.Block}";
        });
        foreach (var line in lines)
        {
            Console.WriteLine(line);
        }
    }
}

return 0;
