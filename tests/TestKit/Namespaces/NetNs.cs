using System.Collections.Concurrent;
using System.ComponentModel;
using System.Net.Sockets;
using System.Runtime.InteropServices;
using Routing.TestKit.Native;
using Routing.TestKit.Processes;

namespace Routing.TestKit.Namespaces;

/// <summary>
/// One network namespace created for a test, named with this run's prefix (<see cref="TestRun"/>).
/// Disposing it stops the processes started in it and deletes it, which also removes its
/// interfaces and the far ends of its veth pairs.
/// </summary>
public sealed class NetNs : IAsyncDisposable
{
    private readonly ConcurrentBag<DaemonProcess> processes = [];
    private int interfaceCounter;
    private int disposed;

    private NetNs(string label, string name)
    {
        Label = label;
        Name = name;
    }

    /// <summary>The short name the test gave it ("bird", "node1").</summary>
    public string Label { get; }

    /// <summary>The kernel's name for it, as <c>ip netns</c> lists it.</summary>
    public string Name { get; }

    /// <summary>Path of the namespace file, for setns(2) or <c>nsenter --net=</c>.</summary>
    public string Path => $"/run/netns/{Name}";

    /// <summary>Creates a namespace with its loopback up.</summary>
    public static async Task<NetNs> CreateAsync(string label)
    {
        TestRun.RequireNamespaces();
        var name = TestRun.NewNamespaceName(label);
        TestRun.TrackNamespace(name);
        var ns = new NetNs(label, name);
        try
        {
            await Command.OutputOfAsync("ip", "netns", "add", name).ConfigureAwait(false);
            await ns.IpAsync("link", "set", "lo", "up").ConfigureAwait(false);
        }
        catch
        {
            await ns.DisposeAsync().ConfigureAwait(false);
            throw;
        }

        return ns;
    }

    /// <summary>Runs a command inside the namespace and captures its output; never throws for a non-zero exit.</summary>
    public Task<CommandResult> RunAsync(string file, IEnumerable<string> arguments, string? standardInput = null, TimeSpan? timeout = null) =>
        Command.RunAsync("ip", new[] { "netns", "exec", Name, file }.Concat(arguments), standardInput, timeout);

    public Task<CommandResult> RunAsync(string file, params string[] arguments) => RunAsync(file, arguments, null);

    /// <summary>Runs a command inside the namespace and returns its stdout, or throws with its stderr.</summary>
    public async Task<string> OutputOfAsync(string file, params string[] arguments) =>
        (await RunAsync(file, arguments).ConfigureAwait(false)).EnsureSuccess().StandardOutput;

    /// <summary><c>ip -n NAME …</c>, throwing on failure.</summary>
    public Task<string> IpAsync(params string[] arguments) =>
        Command.OutputOfAsync("ip", ["-n", Name, .. arguments]);

    public Task AddAddressAsync(string device, string cidr) => IpAsync("address", "add", cidr, "dev", device);

    public Task SetUpAsync(string device) => IpAsync("link", "set", device, "up");

    /// <summary><c>ip route add …</c> in the namespace, e.g. <c>AddRouteAsync("10.1.0.0/16", "via", "10.0.0.1")</c>.</summary>
    public Task AddRouteAsync(string prefix, params string[] spec) => IpAsync(["route", "add", prefix, .. spec]);

    /// <summary>An interface name unique within this namespace, at most 15 characters.</summary>
    public string NewInterfaceName(string stem = "veth")
    {
        var n = Interlocked.Increment(ref interfaceCounter);
        var suffix = n.ToString(System.Globalization.CultureInfo.InvariantCulture);
        return stem[..Math.Min(stem.Length, 15 - suffix.Length)] + suffix;
    }

    /// <summary>
    /// Creates a socket that lives in this namespace, for code under test running in the test
    /// process (e.g. a BGP speaker): the socket is made on a short-lived thread that entered the
    /// namespace, and stays bound to it wherever it is used afterwards.
    /// </summary>
    public Socket CreateSocket(AddressFamily family, SocketType type = SocketType.Stream, ProtocolType protocol = ProtocolType.Tcp)
    {
        Socket? socket = null;
        Exception? error = null;
        var thread = new Thread(() =>
        {
            try
            {
                using var handle = File.OpenHandle(Path);
                if (LibC.setns((int)handle.DangerousGetHandle(), LibC.CLONE_NEWNET) != 0)
                {
                    throw new Win32Exception(Marshal.GetLastPInvokeError(), $"setns into {Name}");
                }

                socket = new Socket(family, type, protocol);
            }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                error = e;
            }
        });
        thread.Start();
        thread.Join();
        return socket ?? throw new InvalidOperationException($"cannot create a socket in {Name}", error);
    }

    /// <summary>Starts a long-lived process inside the namespace; it is stopped when the namespace is disposed.</summary>
    public DaemonProcess StartProcess(
        string name,
        string file,
        IEnumerable<string> arguments,
        IReadOnlyDictionary<string, string>? environment = null,
        IEnumerable<string>? extraLogFiles = null)
    {
        var process = DaemonProcess.Start($"{Label}-{name}", file, arguments, Name, environment, extraLogFiles);
        processes.Add(process);
        return process;
    }

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref disposed, 1) == 1)
        {
            return;
        }

        foreach (var process in processes)
        {
            await process.StopAsync(TimeSpan.FromSeconds(5)).ConfigureAwait(false);
        }

        // Anything else still inside (children the daemons forked) dies with the namespace.
        TestRun.DeleteNamespaceNow(Name);
        TestRun.UntrackNamespace(Name);
    }

    public override string ToString() => Name;
}
