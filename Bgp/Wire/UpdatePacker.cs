using System.Net;
using Routing.Bgp.Wire.Attributes;

namespace Routing.Bgp.Wire;

/// <summary>
/// Packs many prefixes that share one set of attributes into as few UPDATEs as fit the message
/// size (update groups): IPv4 in the NLRI and Withdrawn Routes fields, other families in
/// MP_REACH_NLRI / MP_UNREACH_NLRI.
/// </summary>
public static class UpdatePacker
{
    private const int FixedLength = BgpMessage.HeaderLength + 4; // header, withdrawn length, attribute length
    private const int MpAttributeHeader = 4; // flags, type, extended length

    public static IEnumerable<UpdateMessage> Announce(AfiSafi family, PathAttributes attributes, IPAddress nextHop, IReadOnlyList<Nlri> routes, SessionOptions options)
    {
        ArgumentNullException.ThrowIfNull(attributes);
        ArgumentNullException.ThrowIfNull(nextHop);
        ArgumentNullException.ThrowIfNull(routes);
        var ipv4 = family == AfiSafi.Ipv4Unicast;
        if (ipv4)
        {
            attributes = attributes with { NextHop = nextHop };
        }

        var attributesLength = AttributesLength(attributes, options);
        var budget = options.MaxMessageLength - FixedLength - attributesLength;
        if (!ipv4)
        {
            budget -= MpAttributeHeader + 5 + (nextHop.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6 ? 16 : 4);
        }

        foreach (var batch in Batches(routes, budget, options.AddPath(family)))
        {
            yield return Build(family, attributes, nextHop, batch, ipv4);
        }
    }

    public static IEnumerable<UpdateMessage> Withdraw(AfiSafi family, IReadOnlyList<Nlri> routes, SessionOptions options)
    {
        ArgumentNullException.ThrowIfNull(routes);
        var ipv4 = family == AfiSafi.Ipv4Unicast;
        var budget = options.MaxMessageLength - FixedLength - (ipv4 ? 0 : MpAttributeHeader + 3);
        foreach (var batch in Batches(routes, budget, options.AddPath(family)))
        {
            yield return ipv4 ? new UpdateMessage(withdrawn: batch) : new UpdateMessage(mpUnreach: new MpUnreach(family, batch));
        }
    }

    /// <summary>Cuts the routes into consecutive batches whose NLRI encoding fits <paramref name="budget"/> bytes.</summary>
    private static IEnumerable<List<Nlri>> Batches(IReadOnlyList<Nlri> routes, int budget, bool addPath)
    {
        var batch = new List<Nlri>(BatchCapacity(routes, budget, addPath));
        var used = 0;
        for (var i = 0; i < routes.Count; i++)
        {
            var route = routes[i];
            var size = NlriCodec.Size(route, addPath);
            if (used + size > budget && batch.Count > 0)
            {
                yield return batch;
                batch = new List<Nlri>(batch.Count);
                used = 0;
            }

            batch.Add(route);
            used += size;
        }

        if (batch.Count > 0)
        {
            yield return batch;
        }
    }

    // A first guess of how many routes fit one message, from the size of the first.
    private static int BatchCapacity(IReadOnlyList<Nlri> routes, int budget, bool addPath) =>
        routes.Count == 0 ? 0 : Math.Clamp(budget / NlriCodec.Size(routes[0], addPath), 1, routes.Count);

    private static UpdateMessage Build(AfiSafi family, PathAttributes attributes, IPAddress nextHop, List<Nlri> batch, bool ipv4) =>
        ipv4
            ? new UpdateMessage(attributes: attributes, nlri: batch)
            : new UpdateMessage(attributes: attributes, mpReach: new MpReach(family, nextHop, null, batch));

    private static int AttributesLength(PathAttributes attributes, SessionOptions options)
    {
        // As large as a message may be: an extended message can carry more than a stack buffer holds.
        var scratch = System.Buffers.ArrayPool<byte>.Shared.Rent(options.MaxMessageLength);
        try
        {
            return UpdateMessage.WriteAttributes(scratch, attributes, options);
        }
        finally
        {
            System.Buffers.ArrayPool<byte>.Shared.Return(scratch);
        }
    }
}
