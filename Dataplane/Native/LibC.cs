using System.Runtime.InteropServices;

namespace Routing.Dataplane.Native;

/// <summary>
/// The libc calls the dataplane makes, named and typed as in C. Thin on purpose: errors come
/// back as -1 with errno (<see cref="Marshal.GetLastPInvokeError"/>); the typed API above turns
/// them into exceptions that name the operation.
/// </summary>
internal static unsafe partial class LibC
{
    private const string Library = "libc";

    [LibraryImport(Library, EntryPoint = "socket", SetLastError = true)]
    public static partial int socket(int domain, int type, int protocol);

    [LibraryImport(Library, EntryPoint = "bind", SetLastError = true)]
    public static partial int bind(SafeFileDescriptor fd, sockaddr_nl* address, int addressLength);

    [LibraryImport(Library, EntryPoint = "getsockname", SetLastError = true)]
    public static partial int getsockname(SafeFileDescriptor fd, sockaddr_nl* address, int* addressLength);

    [LibraryImport(Library, EntryPoint = "setsockopt", SetLastError = true)]
    public static partial int setsockopt(SafeFileDescriptor fd, int level, int name, void* value, int valueLength);

    [LibraryImport(Library, EntryPoint = "getsockopt", SetLastError = true)]
    public static partial int getsockopt(SafeFileDescriptor fd, int level, int name, void* value, int* valueLength);

    [LibraryImport(Library, EntryPoint = "sendmsg", SetLastError = true)]
    public static partial nint sendmsg(SafeFileDescriptor fd, msghdr* message, int flags);

    [LibraryImport(Library, EntryPoint = "recvmsg", SetLastError = true)]
    public static partial nint recvmsg(SafeFileDescriptor fd, msghdr* message, int flags);

    [LibraryImport(Library, EntryPoint = "close", SetLastError = true)]
    public static partial int close(int fd);

    [LibraryImport(Library, EntryPoint = "open", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    public static partial int open(string path, int flags, int mode);

    [LibraryImport(Library, EntryPoint = "setns", SetLastError = true)]
    public static partial int setns(SafeFileDescriptor fd, int nstype);

    [LibraryImport(Library, EntryPoint = "unshare", SetLastError = true)]
    public static partial int unshare(int flags);

    [LibraryImport(Library, EntryPoint = "mount", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    public static partial int mount(string? source, string target, string? filesystemType, ulong mountFlags, nint data);

    [LibraryImport(Library, EntryPoint = "umount2", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    public static partial int umount2(string target, int flags);

    [LibraryImport(Library, EntryPoint = "gettid")]
    public static partial int gettid();

    [LibraryImport(Library, EntryPoint = "geteuid")]
    public static partial uint geteuid();
}
