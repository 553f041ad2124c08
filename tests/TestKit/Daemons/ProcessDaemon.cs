using Routing.TestKit.Namespaces;
using Routing.TestKit.Processes;

namespace Routing.TestKit.Daemons;

/// <summary>Any long-lived process as a daemon of a topology: its output is its log.</summary>
public sealed class ProcessDaemon(DaemonProcess process) : IDaemon
{
    public string Name => Process.Name;

    public DaemonProcess Process { get; } = process;

    public static ProcessDaemon Start(NetNs ns, string name, string file, IEnumerable<string> arguments, IReadOnlyDictionary<string, string>? environment = null)
    {
        ArgumentNullException.ThrowIfNull(ns);
        return new ProcessDaemon(ns.StartProcess(name, file, arguments, environment));
    }

    public string ReadLog() => Process.ReadLog();

    public ValueTask DisposeAsync() => Process.DisposeAsync();
}
