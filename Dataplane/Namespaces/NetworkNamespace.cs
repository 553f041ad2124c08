using System.Runtime.InteropServices;
using Routing.Dataplane.Native;

namespace Routing.Dataplane.Namespaces;

/// <summary>
/// An open network namespace (a descriptor on its nsfs file). Code runs inside it on a thread
/// of its own (<see cref="Run{T}"/>): setns(2) moves only the calling thread, and a thread-pool
/// thread must never be left in another namespace. Sockets made there stay in it.
/// </summary>
public sealed class NetworkNamespace : IDisposable
{
    private readonly SafeFileDescriptor fd;

    private NetworkNamespace(SafeFileDescriptor fd, string path)
    {
        this.fd = fd;
        Path = path;
    }

    /// <summary>The file it was opened from: /run/netns/NAME, /proc/PID/ns/net, ….</summary>
    public string Path { get; }

    /// <summary>The descriptor, for requests that name a namespace by fd (IFLA_NET_NS_FD). Valid while this object lives.</summary>
    public int Descriptor => fd.Number;

    /// <summary>Opens a namespace by file path.</summary>
    public static NetworkNamespace Open(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        var number = LibC.open(path, LibC.O_RDONLY | LibC.O_CLOEXEC, 0);
        return number >= 0
            ? new NetworkNamespace(new SafeFileDescriptor(number), path)
            : throw new NamespaceException($"open network namespace {path}", Marshal.GetLastPInvokeError());
    }

    /// <summary>Opens a named namespace, as <c>ip netns</c> names them (/run/netns/NAME).</summary>
    public static NetworkNamespace OpenByName(string name) => Open(NamedNamespaces.PathOf(name));

    /// <summary>The calling thread's current namespace.</summary>
    public static NetworkNamespace OpenCurrent() => Open($"/proc/self/task/{LibC.gettid()}/ns/net");

    /// <summary>
    /// Runs <paramref name="action"/> on a new thread inside this namespace, restores the
    /// thread's original namespace afterwards, and returns the result (or rethrows its exception).
    /// </summary>
    public T Run<T>(Func<T> action)
    {
        ArgumentNullException.ThrowIfNull(action);
        T result = default!;
        Exception? error = null;
        var thread = new Thread(() =>
        {
            try
            {
                using var original = OpenCurrent();
                Enter(fd, Path);
                try
                {
                    result = action();
                }
                finally
                {
                    Enter(original.fd, original.Path);
                }
            }
            catch (Exception e)
            {
                error = e;
            }
        })
        {
            IsBackground = true,
            Name = "netns",
        };
        thread.Start();
        thread.Join();
        if (error is not null)
        {
            System.Runtime.ExceptionServices.ExceptionDispatchInfo.Capture(error).Throw();
        }

        return result;
    }

    public void Run(Action action)
    {
        ArgumentNullException.ThrowIfNull(action);
        Run<object?>(() =>
        {
            action();
            return null;
        });
    }

    public void Dispose() => fd.Dispose();

    public override string ToString() => Path;

    private static void Enter(SafeFileDescriptor target, string path)
    {
        if (LibC.setns(target, LibC.CLONE_NEWNET) != 0)
        {
            throw new NamespaceException($"enter network namespace {path}", Marshal.GetLastPInvokeError());
        }
    }
}
