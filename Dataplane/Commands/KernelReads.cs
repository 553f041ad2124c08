namespace Routing.Dataplane.Commands;

/// <summary>How old a read of kernel state (iptables-save, ipset save) may be and still count as "just read".</summary>
public static class KernelReads
{
    /// <summary>
    /// A read this young is trusted for what needs current state: iptables line numbers to delete
    /// by, and skipping the read-and-retry after a failed write. An older one (a read ahead whose
    /// apply never came, or came after a failure) is only a starting point.
    /// </summary>
    public static readonly TimeSpan Fresh = TimeSpan.FromSeconds(1);

    /// <summary>Whether a read made at <paramref name="readAt"/> (a timestamp of <paramref name="time"/>) is still fresh.</summary>
    public static bool IsFresh(TimeProvider time, long readAt) => time.GetElapsedTime(readAt) < Fresh;
}
