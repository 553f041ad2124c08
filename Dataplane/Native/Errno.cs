using System.Runtime.InteropServices;

namespace Routing.Dataplane.Native;

/// <summary>errno values by their C names, so a message can say "(ENETUNREACH)" next to strerror's text.</summary>
public static class Errno
{
    public const int EPERM = 1;
    public const int ENOENT = 2;
    public const int ESRCH = 3;
    public const int EINTR = 4;
    public const int EBADF = 9;
    public const int EAGAIN = 11;
    public const int ENOMEM = 12;
    public const int EACCES = 13;
    public const int EBUSY = 16;
    public const int EEXIST = 17;
    public const int ENODEV = 19;
    public const int EINVAL = 22;
    public const int ERANGE = 34;
    public const int EPROTONOSUPPORT = 93;
    public const int EOPNOTSUPP = 95;
    public const int EAFNOSUPPORT = 97;
    public const int EADDRNOTAVAIL = 99;
    public const int ENETDOWN = 100;
    public const int ENETUNREACH = 101;
    public const int ENOBUFS = 105;
    public const int EHOSTUNREACH = 113;

    private static readonly Dictionary<int, string> Names = new()
    {
        [1] = "EPERM",
        [2] = "ENOENT",
        [3] = "ESRCH",
        [4] = "EINTR",
        [5] = "EIO",
        [6] = "ENXIO",
        [7] = "E2BIG",
        [9] = "EBADF",
        [11] = "EAGAIN",
        [12] = "ENOMEM",
        [13] = "EACCES",
        [14] = "EFAULT",
        [16] = "EBUSY",
        [17] = "EEXIST",
        [18] = "EXDEV",
        [19] = "ENODEV",
        [20] = "ENOTDIR",
        [21] = "EISDIR",
        [22] = "EINVAL",
        [23] = "ENFILE",
        [24] = "EMFILE",
        [28] = "ENOSPC",
        [34] = "ERANGE",
        [36] = "ENAMETOOLONG",
        [38] = "ENOSYS",
        [39] = "ENOTEMPTY",
        [61] = "ENODATA",
        [64] = "ENONET",
        [71] = "EPROTO",
        [90] = "EMSGSIZE",
        [92] = "ENOPROTOOPT",
        [93] = "EPROTONOSUPPORT",
        [95] = "EOPNOTSUPP",
        [97] = "EAFNOSUPPORT",
        [98] = "EADDRINUSE",
        [99] = "EADDRNOTAVAIL",
        [100] = "ENETDOWN",
        [101] = "ENETUNREACH",
        [105] = "ENOBUFS",
        [110] = "ETIMEDOUT",
        [111] = "ECONNREFUSED",
        [113] = "EHOSTUNREACH",
    };

    /// <summary>"ENETUNREACH", or "errno 123" for one not in the table.</summary>
    public static string Name(int errno) =>
        Names.TryGetValue(errno, out var name) ? name : $"errno {errno}";

    /// <summary>"Network is unreachable (ENETUNREACH)".</summary>
    public static string Describe(int errno) => $"{Marshal.GetPInvokeErrorMessage(errno)} ({Name(errno)})";
}
