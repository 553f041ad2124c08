namespace Routing.Dataplane.Netlink;

/// <summary>
/// Requests sent many to a datagram without an ACK each: the kernel answers only the ones that
/// fail, and each answer carries the failed request's sequence number, which maps back to its
/// index here. Subclasses keep the requests in their own typed form and describe one in words
/// only when it failed.
/// </summary>
public abstract class NetlinkBatch
{
    public abstract int Count { get; }

    /// <summary>Writes request <paramref name="index"/> as one message with <paramref name="sequence"/> (flags: NLM_F_REQUEST plus its own; never NLM_F_ACK).</summary>
    protected internal abstract void Write(NetlinkMessageBuilder builder, int index, uint sequence);

    /// <summary>Request <paramref name="index"/> in words, for an error message: "add route 10.1.0.0/24 via 10.0.0.9 table 254".</summary>
    protected internal abstract string Describe(int index);
}
