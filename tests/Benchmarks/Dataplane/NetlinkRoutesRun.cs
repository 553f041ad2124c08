using System.Diagnostics;
using System.Globalization;
using System.Net;
using Routing.Dataplane;
using Routing.Dataplane.Namespaces;
using Routing.Dataplane.Routes;

namespace Routing.Benchmarks.Dataplane;

/// <summary>
/// <c>netlink-routes --netns NAME --count N [--gateway 10.0.0.9] [--per-datagram 1024] [--first 32.0.0.0]</c>:
/// installs N distinct /24s via the gateway in the named namespace with one RouteBatch (no ACK
/// per request), and prints one line of key=value results for bench/netlink-routes. Not a
/// BenchmarkDotNet benchmark: it measures one whole install, kernel included, once.
/// </summary>
public static class NetlinkRoutesRun
{
    public static int Run(string[] args)
    {
        string? netns = null;
        var count = 100_000;
        var gateway = IPAddress.Parse("10.0.0.9");
        var perDatagram = Routing.Dataplane.Netlink.NetlinkConnection.DefaultMessagesPerDatagram;
        var first = IPAddress.Parse("32.0.0.0");
        for (var i = 0; i + 1 < args.Length; i += 2)
        {
            var value = args[i + 1];
            switch (args[i])
            {
                case "--netns":
                    netns = value;
                    break;
                case "--count":
                    count = int.Parse(value, CultureInfo.InvariantCulture);
                    break;
                case "--gateway":
                    gateway = IPAddress.Parse(value);
                    break;
                case "--per-datagram":
                    perDatagram = int.Parse(value, CultureInfo.InvariantCulture);
                    break;
                case "--first":
                    first = IPAddress.Parse(value);
                    break;
                default:
                    Console.Error.WriteLine($"netlink-routes: unknown option {args[i]}");
                    return 2;
            }
        }

        if (netns is null)
        {
            Console.Error.WriteLine("netlink-routes: --netns NAME is required");
            return 2;
        }

        using var ns = NetworkNamespace.OpenByName(netns);
        using var kernel = Rtnetlink.Open(ns);
        var start = BitConverter.ToUInt32(first.GetAddressBytes().Reverse().ToArray());
        using var self = Process.GetCurrentProcess();
        var cpuBefore = self.TotalProcessorTime;
        var clock = Stopwatch.StartNew();
        var batch = new RouteBatch();
        var bytes = new byte[4];
        for (var i = 0; i < count; i++)
        {
            var address = start + ((uint)i << 8);
            bytes[0] = (byte)(address >> 24);
            bytes[1] = (byte)(address >> 16);
            bytes[2] = (byte)(address >> 8);
            bytes[3] = (byte)address;
            batch.Add(new Route { Destination = new IPNetwork(new IPAddress(bytes), 24), Gateway = gateway, Protocol = RouteProtocols.Routing });
        }

        var built = clock.Elapsed;
        var result = kernel.Routes.Send(batch, perDatagram);
        var total = clock.Elapsed;
        self.Refresh();
        var cpu = self.TotalProcessorTime - cpuBefore;
        if (!result.Succeeded)
        {
            Console.Error.WriteLine($"netlink-routes: {result.Errors.Count} refused; first: {result.Errors[0]}");
        }

        Console.WriteLine(string.Create(
            CultureInfo.InvariantCulture,
            $"n={count} build_s={built.TotalSeconds:0.000} send_s={(total - built).TotalSeconds:0.000} total_s={total.TotalSeconds:0.000} cpu_s={cpu.TotalSeconds:0.000} errors={result.Errors.Count} peak_rss_mib={Environment.WorkingSet / (1 << 20)}"));
        return result.Succeeded ? 0 : 1;
    }
}
