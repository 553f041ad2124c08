using System.Buffers.Binary;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using Routing.Dataplane;
using Routing.Dataplane.Namespaces;
using Routing.Dataplane.Netlink;
using Routing.Dataplane.Nexthops;
using Routing.Dataplane.Routes;

namespace Routing.Benchmarks.Dataplane;

/// <summary>
/// <c>routes --netns NAME --mode lib|raw|raw-nh|table|diff --count N [--gateway 10.0.0.9] [--per-datagram 1024] [--first 32.0.0.0]</c>:
/// the timed parts of bench/routes, in a namespace the script made. <c>lib</c> installs N distinct
/// /24s via the gateway with one RouteBatch through a nexthop object (as RouteTable does), removes
/// them by key with another, installs them again and removes them all by deleting the nexthop;
/// <c>raw</c> does install and removal by key with a minimal hand-written loop (one reused buffer, no
/// objects per route) over the same socket type, each route naming its gateway (the floor for that
/// form); <c>raw-nh</c> the same through a nexthop object (the floor for the library's form);
/// <c>table</c> installs and removes through a RouteTable, as the agent does (SetAll, then apply;
/// its monitor listening); <c>diff</c> installs N routes (untimed), then times a RouteTable's full
/// dump-and-diff against them with nothing to change. Prints one line of key=value results. Not a
/// BenchmarkDotNet benchmark: it measures whole runs, kernel included, once.
/// </summary>
public static class RoutesRun
{
    private const int WarmUpRoutes = 4096;

    public static int Run(string[] args)
    {
        string? netns = null;
        var mode = "lib";
        var count = 100_000;
        var gateway = IPAddress.Parse("10.0.0.9");
        var perDatagram = NetlinkConnection.DefaultMessagesPerDatagram;
        var first = IPAddress.Parse("32.0.0.0");
        for (var i = 0; i + 1 < args.Length; i += 2)
        {
            var value = args[i + 1];
            switch (args[i])
            {
                case "--netns":
                    netns = value;
                    break;
                case "--mode":
                    mode = value;
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
                    Console.Error.WriteLine($"routes: unknown option {args[i]}");
                    return 2;
            }
        }

        if (netns is null)
        {
            Console.Error.WriteLine("routes: --netns NAME is required");
            return 2;
        }

        using var ns = NetworkNamespace.OpenByName(netns);
        var start = BinaryPrimitives.ReadUInt32BigEndian(first.GetAddressBytes());
        return mode switch
        {
            "lib" => Library(ns, start, count, gateway, perDatagram),
            "raw" => Raw(ns, start, count, gateway, perDatagram, throughNexthop: false),
            "raw-nh" => Raw(ns, start, count, gateway, perDatagram, throughNexthop: true),
            "table" => Table(ns, start, count, gateway),
            "diff" => Diff(ns, start, count, gateway, perDatagram),
            _ => Usage(mode),
        };
    }

    private static int Usage(string mode)
    {
        Console.Error.WriteLine($"routes: unknown mode {mode} (lib, raw, raw-nh, table, diff)");
        return 2;
    }

    private static Route[] Routes(uint start, int count, IPAddress gateway)
    {
        var routes = new Route[count];
        for (var i = 0; i < count; i++)
        {
            routes[i] = new Route { Destination = new IPNetwork(Address(start, i), 24), Gateway = gateway, Protocol = RouteProtocols.Routing };
        }

        return routes;
    }

    private static IPAddress Address(uint start, int i)
    {
        Span<byte> bytes = stackalloc byte[4];
        BinaryPrimitives.WriteUInt32BigEndian(bytes, start + ((uint)i << 8));
        return new IPAddress(bytes);
    }

    private static int Library(NetworkNamespace ns, uint start, int count, IPAddress gateway, int perDatagram)
    {
        using var kernel = Rtnetlink.Open(ns);

        // The agent is long-running: the code is compiled before its first big batch. Both clients
        // warm up on a few routes elsewhere (16.0.0.0/24 up), so neither time holds the JIT.
        const uint WarmUp = 0x10000000;
        var warmUp = NexthopTowards(kernel, gateway, 1);
        if (!LibraryRound(kernel, WarmUp, WarmUpRoutes, gateway, warmUp.Id, perDatagram) || !kernel.Routes.Nexthops.Delete(warmUp.Id))
        {
            Console.Error.WriteLine("routes: the warm-up round failed");
            return 1;
        }

        var meter = Meter.Start();

        // Building the requests is inside the time, as parsing its file is for ip; so is the nexthop.
        var nexthop = NexthopTowards(kernel, gateway, 2);
        var install = new RouteBatch(count);
        foreach (var route in Routes(start, count, gateway))
        {
            install.Add(route, nexthop.Id);
        }

        var built = meter.Seconds;
        var added = kernel.Routes.Send(install, perDatagram);
        var (installS, installCpu) = meter.Stop();
        var present = kernel.Routes.List(protocol: RouteProtocols.Routing).Count;

        // Removal with the batch's delete by key and protocol (as `ip route del PREFIX proto N`), no
        // object per route: what RouteTable does for some of a gateway's routes.
        meter = Meter.Start();
        var remove = new RouteBatch(count);
        for (var i = 0; i < count; i++)
        {
            remove.Delete(PackedRouteKey.IPv4(start + ((uint)i << 8), 24), RouteProtocols.Routing);
        }

        var removed = kernel.Routes.Send(remove, perDatagram);
        var (removeS, removeCpu) = meter.Stop();
        var left = kernel.Routes.List(protocol: RouteProtocols.Routing).Count;

        // All of a gateway's routes: RouteTable deletes the nexthop nothing goes through any more.
        var again = kernel.Routes.Send(install, perDatagram);
        meter = Meter.Start();
        var flushed = kernel.Routes.Nexthops.Delete(nexthop.Id);
        var (flushS, flushCpu) = meter.Stop();
        var leftAfterFlush = kernel.Routes.List(protocol: RouteProtocols.Routing).Count;
        Report(added, removed);
        Console.WriteLine(string.Create(
            CultureInfo.InvariantCulture,
            $"n={count} build_s={built:0.000} install_s={installS:0.000} install_cpu_s={installCpu:0.000} remove_s={removeS:0.000} remove_cpu_s={removeCpu:0.000} flush_s={flushS:0.000} flush_cpu_s={flushCpu:0.000} present={present} left={left} errors={added.Errors.Count + removed.Errors.Count + again.Errors.Count}"));
        return added.Succeeded && removed.Succeeded && again.Succeeded && flushed && present == count && left == 0 && leftAfterFlush == 0 ? 0 : 1;
    }

    /// <summary>A nexthop object of the agent's protocol towards <paramref name="gateway"/>, as RouteTable makes one.</summary>
    private static Nexthop NexthopTowards(Rtnetlink kernel, IPAddress gateway, uint id)
    {
        var nexthop = new Nexthop(id, gateway, kernel.Routes.Nexthops.DeviceTowards(gateway), false, RouteProtocols.Routing);
        kernel.Routes.Nexthops.Add(nexthop);
        return nexthop;
    }

    /// <summary>Install and remove <paramref name="count"/> routes as the timed run does; true if the kernel took them all.</summary>
    private static bool LibraryRound(Rtnetlink kernel, uint start, int count, IPAddress gateway, uint nexthop, int perDatagram)
    {
        var install = new RouteBatch(count);
        var remove = new RouteBatch(count);
        foreach (var route in Routes(start, count, gateway))
        {
            install.Add(route, nexthop);
            remove.Delete(PackedRouteKey.From(RouteTable.KeyOf(route)), RouteProtocols.Routing);
        }

        return kernel.Routes.Send(install, perDatagram).Succeeded && kernel.Routes.Send(remove, perDatagram).Succeeded;
    }

    /// <summary>Install then remove through a RouteTable, as the agent does: wanted routes set, then applied.</summary>
    private static int Table(NetworkNamespace ns, uint start, int count, IPAddress gateway)
    {
        using var table = RouteTable.Open(ns);
        const uint WarmUp = 0x10000000;
        table.SetAll(Routes(WarmUp, WarmUpRoutes, gateway));
        var warm = table.ApplyPending();
        table.SetAll([]);
        var cold = table.ApplyPending();
        if (warm.Added != WarmUpRoutes || cold.Deleted != WarmUpRoutes)
        {
            Console.Error.WriteLine($"routes: the warm-up round failed ({warm.Added} added, {cold.Deleted} deleted)");
            return 1;
        }

        var meter = Meter.Start();
        table.SetAll(Routes(start, count, gateway));
        var added = table.ApplyPending();
        var (installS, installCpu) = meter.Stop();
        meter = Meter.Start();
        table.SetAll([]);
        var removed = table.ApplyPending();
        var (removeS, removeCpu) = meter.Stop();
        using var kernel = Rtnetlink.Open(ns);
        var left = kernel.Routes.List(protocol: RouteProtocols.Routing).Count;
        Console.WriteLine(string.Create(
            CultureInfo.InvariantCulture,
            $"n={count} install_s={installS:0.000} install_cpu_s={installCpu:0.000} remove_s={removeS:0.000} remove_cpu_s={removeCpu:0.000} added={added.Added} deleted={removed.Deleted} left={left} errors={added.Errors.Count + removed.Errors.Count}"));
        return added.Added == count && removed.Deleted == count && left == 0 && added.Errors.Count + removed.Errors.Count == 0 ? 0 : 1;
    }

    private static int Raw(NetworkNamespace ns, uint start, int count, IPAddress gateway, int perDatagram, bool throughNexthop)
    {
        using var socket = ns.Run(() => NetlinkSocket.Open());
        socket.SetBufferSizes(NetlinkConnection.DefaultBufferBytes);
        var gatewayBits = BinaryPrimitives.ReadUInt32BigEndian(gateway.GetAddressBytes());
        uint nexthop = 0;
        if (throughNexthop)
        {
            using var kernel = Rtnetlink.Open(ns);
            nexthop = NexthopTowards(kernel, gateway, 3).Id;
        }

        const uint WarmUp = 0x10000000;
        if (RawLoop(socket, WarmUp, WarmUpRoutes, gatewayBits, nexthop, perDatagram, remove: false) + RawLoop(socket, WarmUp, WarmUpRoutes, gatewayBits, nexthop, perDatagram, remove: true) != 0)
        {
            Console.Error.WriteLine("routes: the warm-up round failed");
            return 1;
        }

        var meter = Meter.Start();
        var installErrors = RawLoop(socket, start, count, gatewayBits, nexthop, perDatagram, remove: false);
        var (installS, installCpu) = meter.Stop();
        meter = Meter.Start();
        var removeErrors = RawLoop(socket, start, count, gatewayBits, nexthop, perDatagram, remove: true);
        var (removeS, removeCpu) = meter.Stop();
        Console.WriteLine(string.Create(
            CultureInfo.InvariantCulture,
            $"n={count} install_s={installS:0.000} install_cpu_s={installCpu:0.000} remove_s={removeS:0.000} remove_cpu_s={removeCpu:0.000} errors={installErrors + removeErrors}"));
        return installErrors + removeErrors == 0 ? 0 : 1;
    }

    /// <summary>
    /// The least a client can do: messages written straight into one buffer, 44 bytes to add
    /// (nlmsghdr, rtmsg, RTA_DST, RTA_GATEWAY, or RTA_NH_ID with a <paramref name="nexthop"/>) and 36
    /// to delete (no gateway to match, as <c>ip route del PREFIX proto P</c>), <paramref name="perDatagram"/>
    /// per sendmsg, an ACK only on the last, errors counted as they come. Returns the number of errors.
    /// </summary>
    private static int RawLoop(NetlinkSocket socket, uint start, int count, uint gateway, uint nexthop, int perDatagram, bool remove)
    {
        var messageLength = remove ? 16 + 12 + 8 : 16 + 12 + 8 + 8;
        var buffer = new byte[perDatagram * messageLength];
        var answers = new byte[64 << 10];
        var sequence = (uint)Environment.TickCount;
        var last = unchecked(sequence + (uint)count - 1);
        var errors = 0;
        var done = false;
        for (var index = 0; index < count;)
        {
            var end = Math.Min(count, index + perDatagram);
            var length = 0;
            for (; index < end; index++, length += messageLength)
            {
                var m = buffer.AsSpan(length, messageLength);
                var flags = (ushort)(NetlinkMessageFlags.Request
                    | (remove ? NetlinkMessageFlags.None : NetlinkMessageFlags.Create | NetlinkMessageFlags.Exclusive)
                    | (index == count - 1 ? NetlinkMessageFlags.Ack : NetlinkMessageFlags.None));
                BinaryPrimitives.WriteUInt32LittleEndian(m, (uint)messageLength);
                BinaryPrimitives.WriteUInt16LittleEndian(m[4..], (ushort)(remove ? NetlinkMessageType.DeleteRoute : NetlinkMessageType.NewRoute));
                BinaryPrimitives.WriteUInt16LittleEndian(m[6..], flags);
                BinaryPrimitives.WriteUInt32LittleEndian(m[8..], unchecked(sequence + (uint)index));
                BinaryPrimitives.WriteUInt32LittleEndian(m[12..], 0);
                m[16] = 2;                                    // AF_INET
                m[17] = 24;                                   // dst_len
                m[18] = 0;
                m[19] = 0;
                m[20] = 254;                                  // main table
                m[21] = RouteProtocols.Routing;
                m[22] = remove ? (byte)255 : (byte)0;         // scope: nowhere (any) to delete, universe to add
                m[23] = remove ? (byte)0 : (byte)1;           // any type to delete, RTN_UNICAST to add
                BinaryPrimitives.WriteUInt32LittleEndian(m[24..], 0);
                BinaryPrimitives.WriteUInt16LittleEndian(m[28..], 8);
                BinaryPrimitives.WriteUInt16LittleEndian(m[30..], RouteMessage.Destination);
                BinaryPrimitives.WriteUInt32BigEndian(m[32..], start + ((uint)index << 8));
                if (!remove)
                {
                    BinaryPrimitives.WriteUInt16LittleEndian(m[36..], 8);
                    if (nexthop != 0)
                    {
                        BinaryPrimitives.WriteUInt16LittleEndian(m[38..], RouteMessage.NexthopId);
                        BinaryPrimitives.WriteUInt32LittleEndian(m[40..], nexthop);
                    }
                    else
                    {
                        BinaryPrimitives.WriteUInt16LittleEndian(m[38..], RouteMessage.Gateway);
                        BinaryPrimitives.WriteUInt32BigEndian(m[40..], gateway);
                    }
                }
            }

            socket.Send(buffer.AsSpan(0, length));
            done |= RawDrain(socket, answers, last, ref errors, wait: false);
        }

        while (!done)
        {
            done = RawDrain(socket, answers, last, ref errors, wait: true);
        }

        return errors;
    }

    private static bool RawDrain(NetlinkSocket socket, byte[] answers, uint last, ref int errors, bool wait)
    {
        var done = false;
        int length;
        while ((length = socket.Receive(answers, wait)) > 0)
        {
            wait = false;
            var reader = new NetlinkMessageReader(answers.AsSpan(0, length));
            while (reader.TryRead(out var message))
            {
                if (message.Type != NetlinkMessageType.Error)
                {
                    continue;
                }

                var error = NetlinkError.Read(message);
                errors += error.IsAck ? 0 : 1;
                done |= error.RequestSequence == last;
            }
        }

        return done;
    }

    private static int Diff(NetworkNamespace ns, uint start, int count, IPAddress gateway, int perDatagram)
    {
        var routes = Routes(start, count, gateway);
        using (var kernel = Rtnetlink.Open(ns))
        {
            // As a RouteTable would have left them: through a nexthop of its protocol, which it adopts.
            var nexthop = NexthopTowards(kernel, gateway, 4);
            var install = new RouteBatch();
            foreach (var route in routes)
            {
                install.Add(route, nexthop.Id);
            }

            var added = kernel.Routes.Send(install, perDatagram);
            if (!added.Succeeded)
            {
                Report(added, added);
                return 1;
            }
        }

        // The dump alone, for reference: the floor under any diff against the kernel.
        double dumpS, dumpCpu;
        using (var kernel = Rtnetlink.Open(ns))
        {
            var dumpMeter = Meter.Start();
            _ = kernel.Routes.List(protocol: RouteProtocols.Routing);
            (dumpS, dumpCpu) = dumpMeter.Stop();
        }

        // The dump read in place with nothing kept: the kernel's part and the reading.
        double readS, readCpu;
        using (var kernel = Rtnetlink.Open(ns))
        {
            var seen = 0;
            var readMeter = Meter.Start();
            kernel.Routes.ReadByProtocol(RouteProtocols.Routing, _ => seen++, () => seen = 0);
            (readS, readCpu) = readMeter.Stop();
        }

        using var table = RouteTable.Open(ns);
        var meter = Meter.Start();
        table.SetAll(routes);
        var setS = meter.Seconds;
        var result = table.Apply();
        var (totalS, cpu) = meter.Stop();
        Console.WriteLine(string.Create(
            CultureInfo.InvariantCulture,
            $"n={count} dump_s={dumpS:0.000} dump_cpu_s={dumpCpu:0.000} read_s={readS:0.000} read_cpu_s={readCpu:0.000} set_s={setS:0.000} apply_s={result.Duration.TotalSeconds:0.000} total_s={totalS:0.000} cpu_s={cpu:0.000} changed={result.Changed} errors={result.Errors.Count} conflicts={result.Conflicts.Count} peak_rss_mib={Environment.WorkingSet / (1 << 20)}"));
        return result.Changed == 0 && result.Errors.Count == 0 && result.Conflicts.Count == 0 ? 0 : 1;
    }

    private static void Report(NetlinkBatchResult added, NetlinkBatchResult removed)
    {
        foreach (var result in new[] { added, removed })
        {
            if (!result.Succeeded)
            {
                Console.Error.WriteLine($"routes: {result.Errors.Count} refused; first: {result.Errors[0]}");
            }
        }
    }

    /// <summary>Wall time and this process's CPU time (user and system, the kernel's work for it included).</summary>
    private sealed class Meter
    {
        private readonly Stopwatch clock = Stopwatch.StartNew();
        private readonly TimeSpan cpuBefore = CurrentCpu();

        public double Seconds => clock.Elapsed.TotalSeconds;

        public static Meter Start() => new();

        public (double Seconds, double Cpu) Stop() => (clock.Elapsed.TotalSeconds, (CurrentCpu() - cpuBefore).TotalSeconds);

        private static TimeSpan CurrentCpu()
        {
            using var self = Process.GetCurrentProcess();
            return self.TotalProcessorTime;
        }
    }
}
