namespace Routing.Dataplane.Netlink;

/// <summary>One request of a batch that the kernel refused: its index in the batch, what it was, and why.</summary>
public sealed record NetlinkRequestError(int Index, string Request, int Errno, string? KernelMessage)
{
    public string Message => NetlinkException.Format(Request, Errno, KernelMessage);

    public NetlinkException ToException() => new(Request, Errno, KernelMessage);

    public override string ToString() => $"#{Index}: {Message}";
}
