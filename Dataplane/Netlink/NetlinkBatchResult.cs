namespace Routing.Dataplane.Netlink;

/// <summary>What became of a batch: how many requests were sent, and the ones the kernel refused, in batch order.</summary>
public sealed class NetlinkBatchResult
{
    public NetlinkBatchResult(int sent, IReadOnlyList<NetlinkRequestError> errors)
    {
        Sent = sent;
        Errors = errors;
    }

    public int Sent { get; }

    public IReadOnlyList<NetlinkRequestError> Errors { get; }

    public bool Succeeded => Errors.Count == 0;

    /// <summary>Throws the first error, with the count of the others, if any request failed.</summary>
    public void ThrowIfFailed()
    {
        if (Errors.Count == 1)
        {
            throw Errors[0].ToException();
        }

        if (Errors.Count > 1)
        {
            var first = Errors[0];
            throw new NetlinkException($"{first.Request} (and {Errors.Count - 1} more of {Sent} requests)", first.Errno, first.KernelMessage);
        }
    }
}
