using System.Runtime.InteropServices;
using Routing.Dataplane.Native;

namespace Routing.Dataplane.Namespaces;

/// <summary>
/// Named network namespaces, kept as iproute2 keeps them: a bind mount of the namespace's nsfs
/// file on /run/netns/NAME, with /run/netns itself a shared mount so that the names are seen
/// from other mount namespaces too (iproute2 ip/ipnetns.c, netns_add).
/// </summary>
public static class NamedNamespaces
{
    public const string Directory = "/run/netns";

    public static string PathOf(string name)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        if (name.Contains('/', StringComparison.Ordinal) || name is "." or "..")
        {
            throw new ArgumentException($"'{name}' is not a namespace name: it must not contain '/'", nameof(name));
        }

        return $"{Directory}/{name}";
    }

    /// <summary>The names under /run/netns.</summary>
    public static IReadOnlyList<string> List() =>
        System.IO.Directory.Exists(Directory)
            ? System.IO.Directory.GetFiles(Directory).Select(System.IO.Path.GetFileName).OfType<string>().Order(StringComparer.Ordinal).ToArray()
            : [];

    public static bool Exists(string name) => File.Exists(PathOf(name));

    /// <summary>Creates a new, empty network namespace named <paramref name="name"/> (like <c>ip netns add</c>) and opens it.</summary>
    public static NetworkNamespace Create(string name)
    {
        var path = PathOf(name);
        MakeRunDirectoryShared();
        var fd = LibC.open(path, LibC.O_RDONLY | LibC.O_CREAT | LibC.O_EXCL | LibC.O_CLOEXEC, 0);
        if (fd < 0)
        {
            throw new NamespaceException($"create network namespace {name}", Marshal.GetLastPInvokeError());
        }

        _ = LibC.close(fd);
        try
        {
            // unshare(2) on a thread of our own moves only that thread into the new namespace; the
            // bind mount keeps the namespace alive after the thread is gone.
            RunOnOwnThread(() =>
            {
                if (LibC.unshare(LibC.CLONE_NEWNET) != 0)
                {
                    throw new NamespaceException($"create network namespace {name} (unshare)", Marshal.GetLastPInvokeError());
                }

                var self = $"/proc/self/task/{LibC.gettid()}/ns/net";
                if (LibC.mount(self, path, "none", LibC.MS_BIND, 0) != 0)
                {
                    throw new NamespaceException($"create network namespace {name} (bind mount on {path})", Marshal.GetLastPInvokeError());
                }
            });
            return NetworkNamespace.Open(path);
        }
        catch
        {
            Delete(name);
            throw;
        }
    }

    /// <summary>Deletes a named namespace (like <c>ip netns del</c>): it goes away once nothing else holds it. Absent names are fine.</summary>
    public static void Delete(string name)
    {
        var path = PathOf(name);
        if (!File.Exists(path))
        {
            return;
        }

        // EINVAL: not a mount point (a creation that failed half way); the file goes anyway.
        if (LibC.umount2(path, LibC.MNT_DETACH) != 0 && Marshal.GetLastPInvokeError() is var errno && errno != Errno.EINVAL)
        {
            throw new NamespaceException($"delete network namespace {name} (unmount {path})", errno);
        }

        File.Delete(path);
    }

    private static void MakeRunDirectoryShared()
    {
        System.IO.Directory.CreateDirectory(Directory);
        if (LibC.mount("", Directory, "none", LibC.MS_SHARED | LibC.MS_REC, 0) == 0)
        {
            return;
        }

        // Not a mount point yet: bind it onto itself, then share it.
        if (Marshal.GetLastPInvokeError() != Errno.EINVAL
            || LibC.mount(Directory, Directory, "none", LibC.MS_BIND | LibC.MS_REC, 0) != 0
            || LibC.mount("", Directory, "none", LibC.MS_SHARED | LibC.MS_REC, 0) != 0)
        {
            throw new NamespaceException($"make {Directory} a shared mount", Marshal.GetLastPInvokeError());
        }
    }

    private static void RunOnOwnThread(Action action)
    {
        Exception? error = null;
        var thread = new Thread(() =>
        {
            try
            {
                action();
            }
            catch (Exception e)
            {
                error = e;
            }
        })
        {
            IsBackground = true,
            Name = "netns-create",
        };
        thread.Start();
        thread.Join();
        if (error is not null)
        {
            System.Runtime.ExceptionServices.ExceptionDispatchInfo.Capture(error).Throw();
        }
    }
}
