using System.Runtime.InteropServices;

namespace Routing.Dataplane.Native;

/// <summary>
/// A file descriptor that is closed exactly once, and never while a call that uses it is still
/// running on another thread (SafeHandle's reference count), so a blocked receive cannot see its
/// descriptor number reused.
/// </summary>
internal sealed class SafeFileDescriptor : SafeHandle
{
    public SafeFileDescriptor()
        : base(invalidHandleValue: -1, ownsHandle: true)
    {
    }

    public SafeFileDescriptor(int fd)
        : base(invalidHandleValue: -1, ownsHandle: true) => SetHandle(fd);

    public override bool IsInvalid => handle == -1;

    /// <summary>The number, for APIs that take it inside a message (IFLA_NET_NS_FD).</summary>
    public int Number => (int)handle;

    protected override bool ReleaseHandle() => LibC.close((int)handle) == 0;
}
