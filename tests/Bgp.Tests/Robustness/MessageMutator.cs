using System.Buffers.Binary;
using System.Net;
using System.Runtime.CompilerServices;
using Routing.Bgp.Wire;
using Routing.Bgp.Wire.Attributes;
using Routing.Bgp.Wire.Capabilities;
using static Routing.Bgp.Tests.Wire.TestWire;

namespace Routing.Bgp.Tests.Robustness;

/// <summary>What was done to a valid message to make a fuzz input.</summary>
public enum MutationClass
{
    /// <summary>The valid message as encoded.</summary>
    None,
    BitFlip,
    ByteReplaced,

    /// <summary>The stream ends inside the message: the framer must wait.</summary>
    StreamTruncated,

    /// <summary>The body is cut short and the header length fixed to match.</summary>
    BodyTruncated,

    /// <summary>Junk is appended to the body and the header length fixed to match.</summary>
    BodyExtended,
    MarkerCorrupted,
    HeaderLengthBelowMinimum,
    HeaderLengthAboveMaximum,
    HeaderLengthShorterThanMessage,
    HeaderLengthLongerThanMessage,
    TypeUnknown,

    /// <summary>A valid header (marker, length, a type) over random bytes.</summary>
    RandomBody,

    /// <summary>An UPDATE whose lengths add up, over random attributes.</summary>
    RandomAttributes,
    WithdrawnLengthOverrun,
    WithdrawnLengthRandom,
    AttributesLengthOverrun,
    AttributesLengthRandom,
    AttributeLengthOverrun,
    AttributeLengthRandom,
    AttributeValueResized,
    AttributeFlagFlipped,
    AttributeDuplicated,
    NlriPrefixTooLong,
    WithdrawnPrefixTooLong,
    MpNlriPrefixTooLong,
    NlriPrefixLengthRandom,
    OpenVersion,
    OpenHoldTime,
    OpenIdentifierZero,
    OpenParametersLength,
    OpenCapabilityLength,
}

/// <summary>The outcome a mutation class fixes, where it fixes one.</summary>
public enum ExpectedOutcome
{
    /// <summary>TryRead returns false: not a whole message yet.</summary>
    Incomplete,

    /// <summary>An error: NOTIFICATION and session reset.</summary>
    Reset,

    /// <summary>An UPDATE whose routes are all treated as withdrawn.</summary>
    TreatAsWithdraw,

    /// <summary>An UPDATE with the routes of the original, one attribute discarded.</summary>
    AttributeDiscard,

    /// <summary>A message of the original type; an UPDATE with the routes of the original.</summary>
    Accepted,
}

/// <summary>An expectation: the outcome, and for errors the code, the subcode and the data where they are fixed.</summary>
public sealed record Expectation(ExpectedOutcome Outcome, NotificationCode Code = 0, byte? Subcode = null, byte[]? Data = null)
{
    public static Expectation Incomplete { get; } = new(ExpectedOutcome.Incomplete);

    public static Expectation Accepted { get; } = new(ExpectedOutcome.Accepted);

    public static Expectation Reset(NotificationCode code, byte? subcode, byte[]? data = null) => new(ExpectedOutcome.Reset, code, subcode, data);

    public static Expectation UpdateReset(byte subcode, byte[]? data = null) => Reset(NotificationCode.UpdateMessageError, subcode, data);

    public static Expectation Header(byte subcode, byte[]? data = null) => Reset(NotificationCode.MessageHeaderError, subcode, data);

    public override string ToString() =>
        Outcome is ExpectedOutcome.Reset or ExpectedOutcome.TreatAsWithdraw or ExpectedOutcome.AttributeDiscard
            ? $"{Outcome} {Code}/{(Subcode is { } s ? ErrorSubcodes.Describe(Code, s) : "any")}{(Data is null ? string.Empty : " data " + Convert.ToHexString(Data))}"
            : Outcome.ToString();
}

/// <summary>A valid message of the corpus: its bytes and the options it was encoded with (and is valid under).</summary>
public sealed record CorpusMessage(string Name, BgpMessageType Type, string Profile, SessionOptions Options, byte[] Bytes);

/// <summary>
/// One fuzz input: the mutated bytes, how they were made (so a failure names the seed that
/// reproduces it), and the outcome the mutation class fixes under <see cref="CorpusMessage.Options"/>, if any.
/// </summary>
public sealed record FuzzInput(int Index, int Seed, MutationClass Class, CorpusMessage Source, byte[] Bytes, Expectation? Expected)
{
    public override string ToString() =>
        $"input {Index} (new Random({Seed}), {Class} of {Source.Name} [{Source.Profile}]{(Expected is null ? string.Empty : ", expected " + Expected)}): {Convert.ToHexString(Bytes)}";
}

/// <summary>
/// Makes fuzz inputs: valid messages of every type encoded with the codec, then mutated one way
/// each, seeded per input (<c>new Random(seed)</c>) so any input can be made again alone.
/// Structural mutations rebuild the message from its fields, so every length but the one
/// corrupted stays right and the outcome is the one RFC 4271 §6 and RFC 7606 fix for the class.
/// </summary>
public static class MessageMutator
{
    public const int BaseSeed = 20261121;

    /// <summary>The decoding profiles: before OPEN, 4-octet AS, 4-octet AS with ADD-PATH for both families.</summary>
    public static IReadOnlyList<(string Name, SessionOptions Options)> Profiles { get; } =
    [
        ("initial", SessionOptions.Initial),
        ("modern", SessionOptions.Modern),
        ("add-path", new SessionOptions(FourOctetAs: true, AddPathIPv4: true, AddPathIPv6: true, ExtendedMessage: false)),
    ];

    private static readonly MutationClass[] GenericClasses =
    [
        MutationClass.None, MutationClass.BitFlip, MutationClass.BitFlip, MutationClass.ByteReplaced, MutationClass.ByteReplaced,
        MutationClass.StreamTruncated, MutationClass.BodyTruncated, MutationClass.BodyExtended, MutationClass.MarkerCorrupted,
        MutationClass.HeaderLengthBelowMinimum, MutationClass.HeaderLengthAboveMaximum, MutationClass.HeaderLengthShorterThanMessage,
        MutationClass.HeaderLengthLongerThanMessage, MutationClass.TypeUnknown, MutationClass.RandomBody,
    ];

    private static readonly MutationClass[] UpdateClasses =
    [
        MutationClass.RandomAttributes, MutationClass.RandomAttributes, MutationClass.WithdrawnLengthOverrun, MutationClass.WithdrawnLengthRandom,
        MutationClass.AttributesLengthOverrun, MutationClass.AttributesLengthRandom, MutationClass.AttributeLengthOverrun,
        MutationClass.AttributeLengthRandom, MutationClass.AttributeValueResized, MutationClass.AttributeValueResized,
        MutationClass.AttributeFlagFlipped, MutationClass.AttributeFlagFlipped, MutationClass.AttributeDuplicated,
        MutationClass.NlriPrefixTooLong, MutationClass.WithdrawnPrefixTooLong, MutationClass.MpNlriPrefixTooLong,
        MutationClass.NlriPrefixLengthRandom,
    ];

    private static readonly MutationClass[] OpenClasses =
    [
        MutationClass.OpenVersion, MutationClass.OpenHoldTime, MutationClass.OpenIdentifierZero, MutationClass.OpenParametersLength,
        MutationClass.OpenCapabilityLength, MutationClass.OpenCapabilityLength,
    ];

    // RFC 4271 §5 and RFC 7606 §7: each known attribute's category flags and what a malformed one costs.
    private static readonly Dictionary<byte, (byte Flags, ExpectedOutcome OnMalformed)> Categories = new()
    {
        [AttributeType.Origin] = (0x40, ExpectedOutcome.TreatAsWithdraw),
        [AttributeType.AsPath] = (0x40, ExpectedOutcome.TreatAsWithdraw),
        [AttributeType.NextHop] = (0x40, ExpectedOutcome.TreatAsWithdraw),
        [AttributeType.MultiExitDisc] = (0x80, ExpectedOutcome.TreatAsWithdraw),
        [AttributeType.LocalPref] = (0x40, ExpectedOutcome.TreatAsWithdraw),
        [AttributeType.AtomicAggregate] = (0x40, ExpectedOutcome.AttributeDiscard),
        [AttributeType.Aggregator] = (0xC0, ExpectedOutcome.AttributeDiscard),
        [AttributeType.Communities] = (0xC0, ExpectedOutcome.TreatAsWithdraw),
        [AttributeType.OriginatorId] = (0x80, ExpectedOutcome.TreatAsWithdraw),
        [AttributeType.ClusterList] = (0x80, ExpectedOutcome.TreatAsWithdraw),
        [AttributeType.MpReachNlri] = (0x80, ExpectedOutcome.Reset),
        [AttributeType.MpUnreachNlri] = (0x80, ExpectedOutcome.Reset),
        [AttributeType.As4Path] = (0xC0, ExpectedOutcome.AttributeDiscard),
        [AttributeType.As4Aggregator] = (0xC0, ExpectedOutcome.AttributeDiscard),
        [AttributeType.LargeCommunity] = (0xC0, ExpectedOutcome.TreatAsWithdraw),
    };

    private static readonly byte[] KnownTypes = [.. Categories.Keys];

    // Each corpus UPDATE parsed once; mutations copy what they change.
    private static readonly ConditionalWeakTable<CorpusMessage, UpdateLayout> Layouts = new();

    /// <summary>Every valid message of the corpus, under every profile where its encoding depends on one.</summary>
    public static IReadOnlyList<CorpusMessage> Corpus { get; } = BuildCorpus();

    /// <summary>Input <paramref name="index"/> of the decoder fuzz (seed <see cref="BaseSeed"/> + index), drawn from <paramref name="corpus"/>.</summary>
    public static FuzzInput Make(int index, IReadOnlyList<CorpusMessage> corpus, bool messageLevelOnly = false)
    {
        ArgumentNullException.ThrowIfNull(corpus);
        var seed = BaseSeed + index;
        var random = new Random(seed);
        var source = corpus[random.Next(corpus.Count)];
        MutationClass[] classes = source.Type switch
        {
            BgpMessageType.Update when random.Next(10) < 7 => UpdateClasses,
            BgpMessageType.Open when random.Next(10) < 5 => OpenClasses,
            _ => GenericClasses,
        };
        var @class = classes[random.Next(classes.Length)];
        if (messageLevelOnly && @class is MutationClass.StreamTruncated or MutationClass.HeaderLengthLongerThanMessage or MutationClass.HeaderLengthShorterThanMessage)
        {
            // A session reads a stream: a message that never completes or leaves bytes behind belongs to the next one.
            @class = MutationClass.BitFlip;
        }

        var (bytes, expected) = Mutate(@class, source, random) ?? Mutate(@class = MutationClass.BitFlip, source, random)!.Value;
        return new FuzzInput(index, seed, @class, source, bytes, expected);
    }

    private static (byte[] Bytes, Expectation? Expected)? Mutate(MutationClass @class, CorpusMessage source, Random random)
    {
        var bytes = source.Bytes;
        var type = bytes[18];
        var body = bytes.AsSpan(BgpMessage.HeaderLength).ToArray();
        var max = source.Options.MaxMessageLength;
        switch (@class)
        {
            case MutationClass.None:
                return (bytes, Expectation.Accepted);
            case MutationClass.BitFlip:
                {
                    var copy = bytes.ToArray();
                    for (var flips = 1 + random.Next(4); flips > 0; flips--)
                    {
                        copy[Position(copy, random)] ^= (byte)(1 << random.Next(8));
                    }

                    return (copy, null);
                }

            case MutationClass.ByteReplaced:
                {
                    var copy = bytes.ToArray();
                    for (var count = 1 + random.Next(3); count > 0; count--)
                    {
                        copy[Position(copy, random)] = (byte)random.Next(256);
                    }

                    return (copy, null);
                }

            case MutationClass.StreamTruncated:
                return (bytes[..random.Next(bytes.Length)], Expectation.Incomplete);
            case MutationClass.BodyTruncated when body.Length > 0:
                {
                    var cut = body[..random.Next(body.Length)];
                    return (Frame(type, cut), LengthRule(type, cut));
                }

            case MutationClass.BodyExtended:
                {
                    var junk = RandomBytes(random, 1 + random.Next(64));
                    byte[] longer = [.. body, .. junk];
                    var expected = LengthRule(type, longer) ?? (BgpMessageType)type switch
                    {
                        // RFC 4271 §6.2: the optional parameters no longer fill the message.
                        BgpMessageType.Open => Expectation.Reset(NotificationCode.OpenMessageError, 0),
                        BgpMessageType.Notification => Expectation.Accepted,
                        _ => null,
                    };
                    return (Frame(type, longer), expected);
                }

            case MutationClass.MarkerCorrupted:
                {
                    var copy = bytes.ToArray();
                    copy[random.Next(16)] = (byte)random.Next(255);
                    return (copy, Expectation.Header(ErrorSubcodes.ConnectionNotSynchronized, []));
                }

            case MutationClass.HeaderLengthBelowMinimum:
                return WithHeaderLength(bytes, random.Next(BgpMessage.HeaderLength));
            case MutationClass.HeaderLengthAboveMaximum:
                return WithHeaderLength(bytes, random.Next(max + 1, 65536));
            case MutationClass.HeaderLengthShorterThanMessage when bytes.Length > BgpMessage.HeaderLength:
                {
                    var length = random.Next(BgpMessage.HeaderLength, bytes.Length);
                    var (copy, _) = WithHeaderLength(bytes, length);
                    return (copy, LengthRule(type, body[..(length - BgpMessage.HeaderLength)]));
                }

            case MutationClass.HeaderLengthLongerThanMessage when bytes.Length < max:
                return (WithHeaderLength(bytes, random.Next(bytes.Length + 1, max + 1)).Bytes, Expectation.Incomplete);
            case MutationClass.TypeUnknown:
                {
                    var copy = bytes.ToArray();
                    copy[18] = (byte)(random.Next(2) == 0 ? 0 : random.Next(6, 256));
                    return (copy, Expectation.Header(ErrorSubcodes.BadMessageType, [copy[18]]));
                }

            case MutationClass.RandomBody:
                {
                    var randomType = random.Next(6) == 0 ? (byte)random.Next(256) : (byte)random.Next(1, 6);
                    var length = random.Next(8) == 0 ? random.Next(max - BgpMessage.HeaderLength + 1) : random.Next(64);
                    var randomBody = RandomBytes(random, length);
                    var expected = randomType is 0 or > 5 ? Expectation.Header(ErrorSubcodes.BadMessageType, [randomType]) : LengthRule(randomType, randomBody);
                    return (Frame(randomType, randomBody), expected);
                }

            case MutationClass.OpenVersion when type == (byte)BgpMessageType.Open:
                body[0] = (byte)(random.Next(2) == 0 ? random.Next(4) : random.Next(5, 256));
                return (Frame(type, body), Expectation.Reset(NotificationCode.OpenMessageError, ErrorSubcodes.UnsupportedVersionNumber, [0, OpenMessage.BgpVersion]));
            case MutationClass.OpenHoldTime when type == (byte)BgpMessageType.Open:
                BinaryPrimitives.WriteUInt16BigEndian(body.AsSpan(3), (ushort)random.Next(1, 3));
                return (Frame(type, body), Expectation.Reset(NotificationCode.OpenMessageError, ErrorSubcodes.UnacceptableHoldTime));
            case MutationClass.OpenIdentifierZero when type == (byte)BgpMessageType.Open:
                body.AsSpan(5, 4).Clear();
                return (Frame(type, body), Expectation.Reset(NotificationCode.OpenMessageError, ErrorSubcodes.BadBgpIdentifier, [0, 0, 0, 0]));
            case MutationClass.OpenParametersLength when type == (byte)BgpMessageType.Open:
                {
                    var actual = body.Length - 10;
                    var claimed = random.Next(254);
                    body[9] = (byte)(claimed >= actual ? claimed + 1 : claimed);
                    return (Frame(type, body), Expectation.Reset(NotificationCode.OpenMessageError, 0));
                }

            case MutationClass.OpenCapabilityLength when type == (byte)BgpMessageType.Open && body.Length > 12:
                {
                    // One Capabilities parameter (type 2) from offset 10; pick one capability's length octet.
                    var offsets = new List<int>();
                    for (var at = 12; at + 1 < body.Length; at += 2 + body[at + 1])
                    {
                        offsets.Add(at + 1);
                    }

                    body[offsets[random.Next(offsets.Count)]] = (byte)random.Next(256);
                    return (Frame(type, body), null);
                }

            default:
                return type == (byte)BgpMessageType.Update ? MutateUpdate(@class, source, Layouts.GetValue(source, s => UpdateLayout.Parse(s.Bytes)), random) : null;
        }
    }

    private static (byte[] Bytes, Expectation? Expected)? MutateUpdate(MutationClass @class, CorpusMessage source, UpdateLayout update, Random random)
    {
        var options = source.Options;
        var attributes = update.Attributes;
        var body = update.Bytes.AsSpan(BgpMessage.HeaderLength).ToArray();
        switch (@class)
        {
            case MutationClass.RandomAttributes:
                {
                    var count = random.Next(1, 7);
                    var made = new List<(byte Flags, byte Type, byte[] Value)>();
                    for (var i = 0; i < count; i++)
                    {
                        var type = random.Next(10) < 7 ? KnownTypes[random.Next(KnownTypes.Length)] : (byte)random.Next(256);
                        var flags = Categories.TryGetValue(type, out var category) && random.Next(10) < 7 ? category.Flags : (byte)(random.Next(256) & 0xE0);
                        made.Add((flags, type, RandomAttributeValue(type, random)));
                    }

                    var nlri = random.Next(3) == 0 ? RandomNlri(random) : update.Nlri;
                    return (update.With(attributes: made, nlri: nlri), null);
                }

            case MutationClass.WithdrawnLengthOverrun:
                // RFC 4271 §6.3 / RFC 7606 §5.3: Withdrawn Routes Length + Total Attribute Length > the body.
                BinaryPrimitives.WriteUInt16BigEndian(body, (ushort)random.Next(body.Length - 3, 65536));
                return (Frame(BgpMessageType.Update, body), Expectation.UpdateReset(ErrorSubcodes.MalformedAttributeList, []));
            case MutationClass.WithdrawnLengthRandom:
                {
                    var length = random.Next(body.Length - 3);
                    if (length == update.Withdrawn.Length)
                    {
                        return null;
                    }

                    BinaryPrimitives.WriteUInt16BigEndian(body, (ushort)length);
                    return (Frame(BgpMessageType.Update, body), null);
                }

            case MutationClass.AttributesLengthOverrun:
                {
                    var at = 2 + update.Withdrawn.Length;
                    BinaryPrimitives.WriteUInt16BigEndian(body.AsSpan(at), (ushort)random.Next(body.Length - at - 1, 65536));
                    return (Frame(BgpMessageType.Update, body), Expectation.UpdateReset(ErrorSubcodes.MalformedAttributeList, []));
                }

            case MutationClass.AttributesLengthRandom:
                {
                    var at = 2 + update.Withdrawn.Length;
                    var length = random.Next(body.Length - at - 1);
                    if (length == update.AttributeSection.Length)
                    {
                        return null;
                    }

                    BinaryPrimitives.WriteUInt16BigEndian(body.AsSpan(at), (ushort)length);
                    return (Frame(BgpMessageType.Update, body), null);
                }

            case MutationClass.AttributeLengthOverrun when attributes.Count > 0:
                {
                    // RFC 7606 §4: an attribute that runs past the attribute field. The routes can be
                    // withdrawn only if MP_REACH/MP_UNREACH came before it and it is neither (§2).
                    var i = random.Next(attributes.Count);
                    var (flags, type, value) = attributes[i];
                    var extended = (flags & 0x10) != 0;
                    var rest = Concat(attributes.Skip(i + 1).Select(a => Attribute(a.Flags, a.Type, a.Value)).ToArray());
                    var remaining = value.Length + rest.Length;
                    if (!extended && remaining >= 255)
                    {
                        return null;
                    }

                    var length = random.Next(remaining + 1, extended ? 65536 : 256);
                    byte[] header = extended ? [flags, type, (byte)(length >> 8), (byte)length] : [flags, type, (byte)length];
                    byte[] tail = [.. header, .. value, .. rest];
                    var section = Concat([.. attributes.Take(i).Select(a => Attribute(a.Flags, a.Type, a.Value)), tail]);
                    var afterMp = attributes.Take(i).Any(a => a.Type is AttributeType.MpReachNlri or AttributeType.MpUnreachNlri) &&
                                  type is not (AttributeType.MpReachNlri or AttributeType.MpUnreachNlri);
                    var expected = afterMp
                        ? new Expectation(ExpectedOutcome.TreatAsWithdraw, NotificationCode.UpdateMessageError, ErrorSubcodes.AttributeLengthError, tail)
                        : Expectation.UpdateReset(ErrorSubcodes.AttributeLengthError, tail);
                    return (Update(update.Withdrawn, section, update.Nlri), expected);
                }

            case MutationClass.AttributeLengthRandom when attributes.Count > 0:
                {
                    var i = random.Next(attributes.Count);
                    var at = update.AttributeOffsets[i];
                    var copy = update.Bytes.ToArray();
                    if ((copy[at] & 0x10) != 0)
                    {
                        BinaryPrimitives.WriteUInt16BigEndian(copy.AsSpan(at + 2), (ushort)random.Next(65536));
                    }
                    else
                    {
                        copy[at + 2] = (byte)random.Next(256);
                    }

                    return (copy, null);
                }

            case MutationClass.AttributeValueResized when attributes.Count > 0:
                {
                    var i = random.Next(attributes.Count);
                    var (flags, type, value) = attributes[i];
                    var limit = (flags & 0x10) != 0 ? 1024 : 255;
                    var length = random.Next(2) == 0 ? value.Length - 1 - random.Next(8) : value.Length + 1 + random.Next(8);
                    if (length < 0 || length > limit)
                    {
                        return null;
                    }

                    byte[] resized = [.. value.AsSpan(0, Math.Min(length, value.Length)), .. RandomBytes(random, Math.Max(0, length - value.Length))];
                    var changed = attributes.ToList();
                    changed[i] = (flags, type, resized);
                    return (update.With(attributes: changed), ResizeRule(type, length, Attribute(flags, type, resized), options));
                }

            case MutationClass.AttributeFlagFlipped when attributes.Count > 0:
                {
                    var i = random.Next(attributes.Count);
                    var (flags, type, value) = attributes[i];
                    var flipped = (byte)(flags ^ (0x20 << random.Next(3)));
                    var changed = attributes.ToList();
                    changed[i] = (flipped, type, value);
                    return (update.With(attributes: changed), FlagsRule(type, flipped, Attribute(flipped, type, value)));
                }

            case MutationClass.AttributeDuplicated when attributes.Count > 0:
                {
                    // RFC 7606 §3 g: a repeated MP_REACH/MP_UNREACH resets; any other repeat is discarded.
                    var i = random.Next(attributes.Count);
                    var changed = attributes.ToList();
                    changed.Insert(random.Next(i + 1, changed.Count + 1), attributes[i]);
                    var (flags, type, value) = attributes[i];
                    var expected = type is AttributeType.MpReachNlri or AttributeType.MpUnreachNlri
                        ? Expectation.UpdateReset(ErrorSubcodes.MalformedAttributeList, [])
                        : new Expectation(ExpectedOutcome.AttributeDiscard, NotificationCode.UpdateMessageError, ErrorSubcodes.MalformedAttributeList, Attribute(flags, type, value));
                    return (update.With(attributes: changed), expected);
                }

            case MutationClass.NlriPrefixTooLong when update.Nlri.Length > 0:
                {
                    var nlri = update.Nlri.ToArray();
                    nlri[options.AddPathIPv4 ? 4 : 0] = (byte)random.Next(33, 256);
                    return (update.With(nlri: nlri), Expectation.UpdateReset(ErrorSubcodes.InvalidNetworkField, []));
                }

            case MutationClass.WithdrawnPrefixTooLong when update.Withdrawn.Length > 0:
                {
                    var withdrawn = update.Withdrawn.ToArray();
                    withdrawn[options.AddPathIPv4 ? 4 : 0] = (byte)random.Next(33, 256);
                    return (update.With(withdrawn: withdrawn), Expectation.UpdateReset(ErrorSubcodes.InvalidNetworkField, []));
                }

            case MutationClass.MpNlriPrefixTooLong:
                {
                    // RFC 7606 §7.11/§7.12 (RFC 4760 §7): MP_REACH/MP_UNREACH that cannot be parsed reset the session.
                    var candidates = Enumerable.Range(0, attributes.Count).Where(i => MpNlriOffset(attributes[i]) is { } at && at < attributes[i].Value.Length).ToArray();
                    if (candidates.Length == 0)
                    {
                        return null;
                    }

                    var i = candidates[random.Next(candidates.Length)];
                    var (flags, type, value) = attributes[i];
                    var family = new AfiSafi(BinaryPrimitives.ReadUInt16BigEndian(value), value[2]);
                    var copy = value.ToArray();
                    copy[MpNlriOffset(attributes[i])!.Value + (options.AddPath(family) ? 4 : 0)] = (byte)random.Next(family.Afi == AfiSafi.AfiIPv6 ? 129 : 33, 256);
                    var changed = attributes.ToList();
                    changed[i] = (flags, type, copy);
                    return (update.With(attributes: changed), Expectation.UpdateReset(ErrorSubcodes.OptionalAttributeError, Attribute(flags, type, copy)));
                }

            case MutationClass.NlriPrefixLengthRandom when update.Nlri.Length > 0:
                {
                    var nlri = update.Nlri.ToArray();
                    nlri[options.AddPathIPv4 ? 4 : 0] = (byte)random.Next(33);
                    return (update.With(nlri: nlri), null);
                }

            default:
                return null;
        }
    }

    /// <summary>Where the NLRI of an MP_REACH (after the next hop) or MP_UNREACH (after AFI/SAFI) start.</summary>
    private static int? MpNlriOffset((byte Flags, byte Type, byte[] Value) attribute) => attribute.Type switch
    {
        AttributeType.MpReachNlri => 5 + attribute.Value[3],
        AttributeType.MpUnreachNlri => 3,
        _ => null,
    };

    /// <summary>RFC 4271 §6.1: the per-type length limits, with RFC 7313 §5 for a BoRR/EoRR.</summary>
    private static Expectation? LengthRule(byte type, byte[] body)
    {
        var length = BgpMessage.HeaderLength + body.Length;
        var bad = (BgpMessageType)type switch
        {
            BgpMessageType.Open => length < 29,
            BgpMessageType.Update => length < 23,
            BgpMessageType.Notification => length < 21,
            BgpMessageType.Keepalive => length != 19,
            BgpMessageType.RouteRefresh => length != 23,
            _ => false,
        };
        if (!bad)
        {
            return null;
        }

        if (type == (byte)BgpMessageType.RouteRefresh && body.Length >= 3 && body[2] is 1 or 2)
        {
            return Expectation.Reset(NotificationCode.RouteRefreshMessageError, ErrorSubcodes.InvalidMessageLength, Frame(type, body));
        }

        return Expectation.Header(ErrorSubcodes.BadMessageLength, U16(length));
    }

    private static (byte[] Bytes, Expectation Expected) WithHeaderLength(byte[] bytes, int length)
    {
        var copy = bytes.ToArray();
        BinaryPrimitives.WriteUInt16BigEndian(copy.AsSpan(16), (ushort)length);
        return (copy, Expectation.Header(ErrorSubcodes.BadMessageLength, U16(length)));
    }

    /// <summary>The expectation for an attribute of <paramref name="type"/> whose value became <paramref name="length"/> bytes.</summary>
    private static Expectation? ResizeRule(byte type, int length, byte[] entire, SessionOptions options)
    {
        // RFC 4271 §6.3 / RFC 7606 §7: attributes of a fixed length.
        int? fixedLength = type switch
        {
            AttributeType.Origin => 1,
            AttributeType.NextHop or AttributeType.MultiExitDisc or AttributeType.LocalPref or AttributeType.OriginatorId => 4,
            AttributeType.AtomicAggregate => 0,
            AttributeType.Aggregator => options.FourOctetAs ? 8 : 6,
            _ => null,
        };
        if (fixedLength is { } expected)
        {
            return length == expected
                ? Expectation.Accepted
                : new Expectation(Categories[type].OnMalformed, NotificationCode.UpdateMessageError, ErrorSubcodes.AttributeLengthError, entire);
        }

        // Lists of 4- or 12-octet values (RFC 1997, RFC 4456, RFC 8092); AS4_AGGREGATOR has 8 (RFC 6793).
        var unit = type switch
        {
            AttributeType.Communities or AttributeType.ClusterList => 4,
            AttributeType.LargeCommunity => 12,
            AttributeType.As4Aggregator when !options.FourOctetAs => 8,
            _ => 0,
        };
        if (unit == 0)
        {
            return null;
        }

        var valid = type == AttributeType.As4Aggregator ? length == 8 : length > 0 && length % unit == 0;
        return valid ? Expectation.Accepted : new Expectation(Categories[type].OnMalformed, NotificationCode.UpdateMessageError, null, entire);
    }

    /// <summary>RFC 7606 §3 c: flags that disagree with the attribute's category.</summary>
    private static Expectation FlagsRule(byte type, byte flags, byte[] entire)
    {
        if (!Categories.TryGetValue(type, out var category))
        {
            // RFC 4271 §6.3: an unrecognised attribute flagged well-known.
            return (flags & 0x80) == 0
                ? Expectation.UpdateReset(ErrorSubcodes.UnrecognizedWellKnownAttribute, entire)
                : Expectation.Accepted;
        }

        var agree = (flags & 0xC0) == category.Flags && ((flags & 0x20) == 0 || category.Flags == 0xC0);
        return agree
            ? Expectation.Accepted
            : new Expectation(category.OnMalformed, NotificationCode.UpdateMessageError, ErrorSubcodes.AttributeFlagsError, entire);
    }

    /// <summary>A position to mutate: mostly in the body, where the decoders are.</summary>
    private static int Position(byte[] bytes, Random random) =>
        bytes.Length > BgpMessage.HeaderLength && random.Next(10) < 9 ? random.Next(BgpMessage.HeaderLength, bytes.Length) : random.Next(bytes.Length);

    private static byte[] RandomBytes(Random random, int count)
    {
        var bytes = new byte[count];
        random.NextBytes(bytes);
        return bytes;
    }

    /// <summary>A value for a random attribute: sometimes shaped like the type's, often not.</summary>
    private static byte[] RandomAttributeValue(byte type, Random random)
    {
        if (random.Next(3) == 0)
        {
            return RandomBytes(random, random.Next(40));
        }

        return type switch
        {
            AttributeType.Origin => [(byte)random.Next(4)],
            AttributeType.AsPath or AttributeType.As4Path => RandomAsPath(random),
            AttributeType.NextHop or AttributeType.MultiExitDisc or AttributeType.LocalPref or AttributeType.OriginatorId => RandomBytes(random, 4),
            AttributeType.AtomicAggregate => [],
            AttributeType.Aggregator => RandomBytes(random, random.Next(2) == 0 ? 6 : 8),
            AttributeType.As4Aggregator => RandomBytes(random, 8),
            AttributeType.Communities or AttributeType.ClusterList => RandomBytes(random, 4 * random.Next(5)),
            AttributeType.LargeCommunity => RandomBytes(random, 12 * random.Next(3)),
            AttributeType.MpReachNlri => RandomMpReach(random),
            AttributeType.MpUnreachNlri => [0, (byte)random.Next(1, 3), 1, .. RandomNlri(random, ipv6: random.Next(2) == 0)],
            _ => RandomBytes(random, random.Next(16)),
        };
    }

    private static byte[] RandomAsPath(Random random)
    {
        var path = new List<byte>();
        for (var segments = random.Next(4); segments > 0; segments--)
        {
            var count = random.Next(6);
            path.Add((byte)random.Next(6));
            path.Add((byte)count);
            path.AddRange(RandomBytes(random, count * (random.Next(2) == 0 ? 2 : 4)));
        }

        return [.. path];
    }

    private static byte[] RandomMpReach(Random random)
    {
        var ipv6 = random.Next(2) == 0;
        var nextHopLength = random.Next(4) switch
        {
            0 => 4,
            1 => 16,
            2 => 32,
            _ => random.Next(40),
        };
        return [0, (byte)(ipv6 ? 2 : 1), (byte)(random.Next(5) == 0 ? random.Next(256) : 1), (byte)nextHopLength, .. RandomBytes(random, nextHopLength), 0, .. RandomNlri(random, ipv6)];
    }

    /// <summary>A few NLRI entries with random lengths (mostly valid) and random address bytes.</summary>
    private static byte[] RandomNlri(Random random, bool ipv6 = false)
    {
        var nlri = new List<byte>();
        var max = ipv6 ? 128 : 32;
        for (var count = random.Next(4); count > 0; count--)
        {
            var length = random.Next(10) == 0 ? random.Next(256) : random.Next(max + 1);
            nlri.Add((byte)length);
            nlri.AddRange(RandomBytes(random, Math.Min((length + 7) / 8, random.Next(10) == 0 ? random.Next(17) : 16)));
        }

        return [.. nlri];
    }

    private static List<CorpusMessage> BuildCorpus()
    {
        var corpus = new List<CorpusMessage>();
        void Add(string name, BgpMessage message, string profile, SessionOptions options) =>
            corpus.Add(new CorpusMessage(name, message.Type, profile, options, message.ToArray(options)));

        // Messages whose encoding does not depend on the session: once, under the initial options.
        var (initialName, initial) = Profiles[0];
        foreach (var (name, message) in OtherMessages())
        {
            Add(name, message, initialName, initial);
        }

        foreach (var (profile, options) in Profiles)
        {
            foreach (var (name, message) in Updates(options))
            {
                Add(name, message, profile, options);
            }
        }

        return corpus;
    }

    private static IEnumerable<(string Name, BgpMessage Message)> OtherMessages()
    {
        var id = 0x0A000002u;
        yield return ("OPEN no capabilities", new OpenMessage(65001, 90, id, []));
        yield return ("OPEN ipv4/ipv6 4-octet AS", new OpenMessage(65001, 90, id,
        [
            new MultiprotocolCapability(AfiSafi.Ipv4Unicast), new MultiprotocolCapability(AfiSafi.Ipv6Unicast),
            new RouteRefreshCapability(), new EnhancedRouteRefreshCapability(), new FourOctetAsCapability(65001),
        ]));
        yield return ("OPEN AS_TRANS everything", new OpenMessage(4200000001, 180, id,
        [
            new MultiprotocolCapability(AfiSafi.Ipv4Unicast), new MultiprotocolCapability(AfiSafi.Ipv6Unicast),
            new FourOctetAsCapability(4200000001),
            new AddPathCapability(new[] { new AddPathEntry(AfiSafi.Ipv4Unicast, AddPathMode.Both), new AddPathEntry(AfiSafi.Ipv6Unicast, AddPathMode.Receive) }),
            new GracefulRestartCapability(true, true, 120, new[] { new GracefulRestartFamily(AfiSafi.Ipv4Unicast, true), new GracefulRestartFamily(AfiSafi.Ipv6Unicast, false) }),
            new ExtendedNextHopCapability(new[] { new ExtendedNextHopEntry(AfiSafi.Ipv4Unicast, AfiSafi.AfiIPv6) }),
            new ExtendedMessageCapability(), new RouteRefreshCapability(), new UnknownCapability(200, new byte[] { 1, 2, 3, 4, 5 }),
        ]));
        yield return ("OPEN hold 0 graceful restart helper", new OpenMessage(65001, 0, id,
        [
            new MultiprotocolCapability(AfiSafi.Ipv6Unicast), new GracefulRestartCapability(false, false, 120, default), new FourOctetAsCapability(65001),
        ]));
        yield return ("KEEPALIVE", KeepaliveMessage.Instance);
        yield return ("NOTIFICATION hold timer", new NotificationMessage(NotificationCode.HoldTimerExpired, 0));
        yield return ("NOTIFICATION update error with data", new NotificationMessage(NotificationCode.UpdateMessageError, ErrorSubcodes.AttributeLengthError, new byte[] { 0x40, 1, 2, 0, 0 }));
        yield return ("NOTIFICATION shutdown", NotificationMessage.Shutdown("maintenance: back at 14:00 ✓"));
        yield return ("ROUTE-REFRESH ipv4", new RouteRefreshMessage(AfiSafi.Ipv4Unicast));
        yield return ("ROUTE-REFRESH BoRR ipv6", new RouteRefreshMessage(AfiSafi.Ipv6Unicast, RouteRefreshSubtype.BeginningOfRouteRefresh));
        yield return ("ROUTE-REFRESH EoRR ipv4", new RouteRefreshMessage(AfiSafi.Ipv4Unicast, RouteRefreshSubtype.EndOfRouteRefresh));
    }

    private static IEnumerable<(string Name, UpdateMessage Message)> Updates(SessionOptions options)
    {
        var nextHop = IPAddress.Parse("192.0.2.1");
        var simple = new PathAttributes { Origin = Origin.Igp, AsPath = AsPath.Sequence(65001, 65002), NextHop = nextHop };
        uint pathId = options.AddPathIPv4 ? 7u : 0u;
        Nlri[] v4 = [N("10.1.0.0/16", pathId), N("10.2.3.0/24", pathId + 1), N("192.0.2.128/25"), N("0.0.0.0/0"), N("198.51.100.7/32")];
        Nlri[] v6 = [N("2001:db8::/32", pathId), N("2001:db8:1::/48"), N("::/0"), N("2001:db8:ffff:ffff::1/128", pathId + 2)];

        yield return ("UPDATE ipv4", new UpdateMessage(attributes: simple, nlri: v4));
        yield return ("UPDATE every attribute", new UpdateMessage(
            withdrawn: [N("10.9.0.0/16"), N("10.10.10.0/23", pathId)],
            attributes: new PathAttributes
            {
                Origin = Origin.Egp,
                AsPath = new AsPath(new AsPathSegment[]
                {
                    new(AsPathSegmentType.ConfedSequence, new uint[] { 65100, 65101 }),
                    new(AsPathSegmentType.AsSequence, new uint[] { 65001, 65003 }),
                    new(AsPathSegmentType.AsSet, new uint[] { 65010, 65011 }),
                }),
                NextHop = nextHop,
                MultiExitDisc = 100,
                LocalPref = 200,
                AtomicAggregate = true,
                Aggregator = new Aggregator(65001, 0xC0000201),
                Communities = new uint[] { Community.Of(65001, 100), Community.NoExport },
                OriginatorId = 0x0A000009,
                ClusterList = new uint[] { 0x0A000001, 0x0A000002 },
                LargeCommunities = new[] { new LargeCommunity(65001, 1, 2) },
                Unknown = new[] { new RawAttribute(0xC0, 99, new byte[] { 1, 2, 3 }) },
            },
            nlri: v4[..2]));
        yield return ("UPDATE 4-octet ASes", new UpdateMessage(
            attributes: simple with
            {
                AsPath = AsPath.Sequence(4200000001, 65001, 4200000002),
                Aggregator = new Aggregator(4200000002, 0xC0000202),
            },
            nlri: v4[2..]));
        yield return ("UPDATE long AS_PATH", new UpdateMessage(
            attributes: simple with { AsPath = AsPath.Sequence([.. Enumerable.Range(0, 300).Select(i => (uint)(65001 + (i % 7)))]) },
            nlri: [.. Enumerable.Range(0, 40).Select(i => N($"10.{i}.0.0/16", pathId))]));
        yield return ("UPDATE ipv6 with link-local", new UpdateMessage(
            attributes: simple with { NextHop = null, MultiExitDisc = 5 },
            mpReach: new MpReach(AfiSafi.Ipv6Unicast, IPAddress.Parse("2001:db8::1"), IPAddress.Parse("fe80::1"), v6)));
        yield return ("UPDATE ipv6 reach and unreach", new UpdateMessage(
            attributes: simple with { NextHop = null },
            mpReach: new MpReach(AfiSafi.Ipv6Unicast, IPAddress.Parse("2001:db8::1"), null, v6[..2]),
            mpUnreach: new MpUnreach(AfiSafi.Ipv6Unicast, v6[2..])));
        yield return ("UPDATE ipv6 withdraw", new UpdateMessage(mpUnreach: new MpUnreach(AfiSafi.Ipv6Unicast, v6)));
        yield return ("UPDATE ipv4 in MP_REACH", new UpdateMessage(
            attributes: simple with { NextHop = null },
            mpReach: new MpReach(AfiSafi.Ipv4Unicast, nextHop, null, v4[..3])));
        yield return ("UPDATE ipv4 withdraw", new UpdateMessage(withdrawn: v4));
        yield return ("UPDATE End-of-RIB ipv4", UpdateMessage.EndOfRibFor(AfiSafi.Ipv4Unicast));
        yield return ("UPDATE End-of-RIB ipv6", UpdateMessage.EndOfRibFor(AfiSafi.Ipv6Unicast));
    }

    private static Nlri N(string prefix, uint pathId = 0) => new(Prefix.Parse(prefix), pathId);

    /// <summary>The fields of a valid encoded UPDATE, to rebuild it with one of them changed.</summary>
    private sealed record UpdateLayout(byte[] Bytes, byte[] Withdrawn, byte[] AttributeSection, List<(byte Flags, byte Type, byte[] Value)> Attributes, List<int> AttributeOffsets, byte[] Nlri)
    {
        public static UpdateLayout Parse(byte[] bytes)
        {
            var body = bytes.AsSpan(BgpMessage.HeaderLength);
            int withdrawnLength = BinaryPrimitives.ReadUInt16BigEndian(body);
            int attributesLength = BinaryPrimitives.ReadUInt16BigEndian(body[(2 + withdrawnLength)..]);
            var start = BgpMessage.HeaderLength + 4 + withdrawnLength;
            var offsets = new List<int>();
            for (var at = start; at < start + attributesLength;)
            {
                offsets.Add(at);
                at += (bytes[at] & 0x10) != 0 ? 4 + BinaryPrimitives.ReadUInt16BigEndian(bytes.AsSpan(at + 2)) : 3 + bytes[at + 2];
            }

            return new UpdateLayout(
                bytes,
                body.Slice(2, withdrawnLength).ToArray(),
                body.Slice(4 + withdrawnLength, attributesLength).ToArray(),
                AttributesOf(bytes),
                offsets,
                body[(4 + withdrawnLength + attributesLength)..].ToArray());
        }

        /// <summary>The UPDATE with some fields replaced and every length field made to fit.</summary>
        public byte[] With(byte[]? withdrawn = null, List<(byte Flags, byte Type, byte[] Value)>? attributes = null, byte[]? nlri = null) =>
            Update(
                withdrawn ?? Withdrawn,
                Concat([.. (attributes ?? Attributes).Select(a => Attribute(a.Flags, a.Type, a.Value))]),
                nlri ?? Nlri);
    }
}
