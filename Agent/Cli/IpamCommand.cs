using System.CommandLine;
using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json;
using Routing.Agent.Ipam;
using Routing.Ipam.Allocation;
using Routing.Ipam.Checking;
using Routing.Ipam.Summary;

namespace Routing.Agent.Cli;

/// <summary>
/// <c>routing ipam show|check|release</c>: IPAM as the datastore holds it, read and repaired
/// directly (like <c>calicoctl ipam</c>), without an agent.
/// </summary>
internal static class IpamCommand
{
    private static readonly JsonSerializerOptions Json = new() { WriteIndented = true, PropertyNamingPolicy = JsonNamingPolicy.CamelCase };

    public static Command Create() => new("ipam", "Show, check and repair IP address management")
    {
        Show(),
        Check(),
        Release(),
    };

    private static Command Show()
    {
        var datastore = DatastoreOption.Create();
        var output = CliOptions.Output();
        var command = new Command("show", "Pools, blocks, affinities and use per node") { datastore, output };
        command.SetAction(async (parse, cancellationToken) =>
        {
            await using var store = DatastoreOption.Open(parse.GetValue(datastore));
            var summary = await IpamSummary.BuildAsync(new ResourceIpamStore(store), cancellationToken).ConfigureAwait(false);
            var text = parse.GetValue(output) == "json" ? JsonSerializer.Serialize(ToJson(summary), Json) + "\n" : Render(summary);
            await parse.InvocationConfiguration.Output.WriteAsync(text).ConfigureAwait(false);
            return 0;
        });
        return command;
    }

    private static Command Check()
    {
        var datastore = DatastoreOption.Create();
        var output = CliOptions.Output();
        var command = new Command("check", "Report duplicate addresses, orphaned handles and allocations, and blocks without owners; exit status 1 when there are any") { datastore, output };
        command.SetAction(async (parse, cancellationToken) =>
        {
            await using var store = DatastoreOption.Open(parse.GetValue(datastore));
            var report = await new IpamChecker(new ResourceIpamStore(store)).CheckAsync(null, cancellationToken).ConfigureAwait(false);
            var writer = parse.InvocationConfiguration.Output;
            if (parse.GetValue(output) == "json")
            {
                var problems = report.Problems.Select(p => new { kind = p.Kind.ToString(), message = p.Message, block = p.Block, address = p.Address, handleId = p.HandleId });
                await writer.WriteLineAsync(JsonSerializer.Serialize(new { clean = report.IsClean, problems }, Json)).ConfigureAwait(false);
            }
            else if (report.IsClean)
            {
                await writer.WriteLineAsync("IPAM is consistent: no duplicates, orphans or blocks without owners.").ConfigureAwait(false);
            }
            else
            {
                var table = new TextTable("Problem", "Block", "Address", "Handle", "Detail");
                foreach (var problem in report.Problems)
                {
                    table.Add(problem.Kind.ToString(), problem.Block ?? "", problem.Address ?? "", problem.HandleId ?? "", problem.Message);
                }

                await writer.WriteAsync($"{report.Problems.Count} problem(s) found:\n{table}").ConfigureAwait(false);
            }

            return report.IsClean ? 0 : 1;
        });
        return command;
    }

    private static Command Release()
    {
        var datastore = DatastoreOption.Create();
        var ip = new Option<string[]>("--ip") { Description = "An address to release (repeatable)", AllowMultipleArgumentsPerToken = true };
        var handle = new Option<string?>("--handle") { Description = "Release every address of this handle (e.g. k8s-pod-network.<container id>.eth0)" };
        var command = new Command("release", "Release addresses by address or by handle (releasing what is not allocated is harmless)") { datastore, ip, handle };
        command.SetAction(async (parse, cancellationToken) =>
        {
            var addresses = parse.GetValue(ip) ?? [];
            var handleId = parse.GetValue(handle);
            if ((addresses.Length == 0) == (handleId is null))
            {
                throw new CliException("give either --ip ADDRESS (one or more) or --handle ID");
            }

            var parsed = addresses.Select(a => IPAddress.TryParse(a, out var address) ? address : throw new CliException($"--ip: '{a}' is not an IP address")).ToArray();
            await using var store = DatastoreOption.Open(parse.GetValue(datastore));
            var allocator = new IpamAllocator(new ResourceIpamStore(store));
            try
            {
                var released = handleId is not null
                    ? await allocator.ReleaseByHandleAsync(handleId, cancellationToken).ConfigureAwait(false)
                    : await allocator.ReleaseAsync(parsed, cancellationToken).ConfigureAwait(false);
                var writer = parse.InvocationConfiguration.Output;
                foreach (var allocation in released)
                {
                    await writer.WriteLineAsync($"released {allocation.Address}{(allocation.HandleId is { } h ? $" (handle {h})" : "")}").ConfigureAwait(false);
                }

                if (released.Count == 0)
                {
                    await writer.WriteLineAsync("nothing to release: not allocated").ConfigureAwait(false);
                }
            }
            catch (IpamException e)
            {
                throw new CliException(e.Message);
            }

            return 0;
        });
        return command;
    }

    internal static string Render(IpamSummary summary)
    {
        var text = new StringBuilder();
        var pools = new TextTable("Pool", "CIDR", "Block size", "Blocks", "Allocated", "Free in blocks", "Capacity", "Use");
        foreach (var pool in summary.Pools)
        {
            pools.Add(pool.Name + (pool.Disabled ? " (disabled)" : ""), pool.Cidr, pool.BlockSize.ToString(CultureInfo.InvariantCulture),
                pool.Blocks.ToString(CultureInfo.InvariantCulture), pool.Allocated.ToString(CultureInfo.InvariantCulture),
                pool.FreeInBlocks.ToString(CultureInfo.InvariantCulture), pool.Capacity.ToString(CultureInfo.InvariantCulture),
                pool.Utilisation.ToString("P1", CultureInfo.InvariantCulture));
        }

        text.Append(summary.Pools.Count == 0 ? "No IP pools.\n" : pools.ToString());
        if (summary.Blocks.Count > 0)
        {
            var blocks = new TextTable("Block", "Pool", "Node", "Allocated", "Free");
            foreach (var block in summary.Blocks)
            {
                blocks.Add(block.Cidr, block.Pool ?? "(none)", block.Node ?? "(none)", block.Allocated.ToString(CultureInfo.InvariantCulture), block.Free.ToString(CultureInfo.InvariantCulture));
            }

            text.Append('\n').Append(blocks);
        }

        if (summary.Nodes.Count > 0)
        {
            var nodes = new TextTable("Node", "Pool", "Blocks", "Addresses in use");
            foreach (var node in summary.Nodes)
            {
                nodes.Add(node.Node, node.Pool, node.Blocks.ToString(CultureInfo.InvariantCulture), node.AddressesInUse.ToString(CultureInfo.InvariantCulture));
            }

            text.Append('\n').Append(nodes);
        }

        return text.ToString();
    }

    private static object ToJson(IpamSummary summary) => new
    {
        pools = summary.Pools.Select(p => new { p.Name, p.Cidr, p.BlockSize, p.Disabled, capacity = p.Capacity.ToString(CultureInfo.InvariantCulture), p.Blocks, p.Allocated, p.FreeInBlocks, p.Utilisation }),
        blocks = summary.Blocks,
        affinities = summary.Affinities,
        nodes = summary.Nodes,
    };
}
