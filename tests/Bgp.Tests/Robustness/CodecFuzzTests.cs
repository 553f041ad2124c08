using System.Buffers;
using System.Diagnostics;
using System.Text;
using Routing.Bgp.Tests.Wire;
using Routing.Bgp.Wire;
using Routing.Bgp.Wire.Attributes;
using Xunit.Abstractions;

namespace Routing.Bgp.Tests.Robustness;

/// <summary>
/// Feeds 120,000 seeded random and mutated messages to <see cref="BgpMessage.TryRead"/> under every
/// decoding profile: it never throws, frames exactly, returns errors the protocol can send, and
/// gives each mutation class the outcome RFC 4271 §6 and RFC 7606 fix for it.
/// Input <c>i</c> is made by <c>MessageMutator.Make(i, MessageMutator.Corpus)</c> alone, from
/// <c>new Random(MessageMutator.BaseSeed + i)</c>, so a failure names everything needed to replay it.
/// </summary>
public class CodecFuzzTests(ITestOutputHelper output)
{
    private const int Inputs = 120_000;
    private const int MaxFailuresReported = 25;

    private enum Outcome
    {
        Incomplete,
        Accepted,
        AttributeDiscard,
        TreatAsWithdraw,
        Reset,
    }

    [Fact]
    public void The_corpus_is_valid_under_the_options_it_was_encoded_with()
    {
        foreach (var source in MessageMutator.Corpus)
        {
            var (message, error) = TestWire.Read(source.Bytes, source.Options);
            Assert.True(error is null, $"{source.Name} [{source.Profile}]: {error}");
            Assert.Equal(source.Type, message!.Type);
            if (message is UpdateMessage update)
            {
                Assert.True(update.TreatAsWithdraw is null && update.Discarded.Count == 0, $"{source.Name} [{source.Profile}]: {update}");
            }
        }
    }

    [Fact]
    public void Random_and_mutated_messages_never_throw_and_get_the_outcome_their_class_fixes()
    {
        var clock = Stopwatch.StartNew();
        var failures = new List<string>();
        var counts = new Dictionary<(MutationClass, Outcome), int>();
        var perClass = new Dictionary<MutationClass, int>();
        var checkedExpectations = 0;
        var decodes = 0;
        var reference = MessageMutator.Corpus.ToDictionary(c => c, c => TestWire.Read(c.Bytes, c.Options).Message!);

        for (var index = 0; index < Inputs && failures.Count < MaxFailuresReported; index++)
        {
            var input = MessageMutator.Make(index, MessageMutator.Corpus);
            perClass[input.Class] = perClass.GetValueOrDefault(input.Class) + 1;
            foreach (var (profile, options) in MessageMutator.Profiles)
            {
                decodes++;
                string? problem;
                Outcome outcome;
                try
                {
                    (outcome, problem) = Check(input, index, options, input.Source.Options.Equals(options) ? reference[input.Source] : null);
                }
                catch (Exception e) when (e is not OutOfMemoryException)
                {
                    (outcome, problem) = (Outcome.Reset, $"threw {e}");
                }

                if (problem is not null)
                {
                    failures.Add($"{input} decoded [{profile}]: {problem}");
                }

                if (input.Source.Options.Equals(options))
                {
                    counts[(input.Class, outcome)] = counts.GetValueOrDefault((input.Class, outcome)) + 1;
                    checkedExpectations += input.Expected is null ? 0 : 1;
                }
            }
        }

        output.WriteLine($"{Inputs:N0} inputs, {decodes:N0} decodes under {MessageMutator.Profiles.Count} profiles, {checkedExpectations:N0} checked against their class's expectation, in {clock.Elapsed.TotalSeconds:0.00} s");
        output.WriteLine(Table(perClass, counts));
        Assert.True(failures.Count == 0, $"{failures.Count} failures (the first {MaxFailuresReported} stop the run):\n{string.Join("\n\n", failures)}");
    }

    /// <summary>Decodes one input under <paramref name="options"/>; returns what came out and what is wrong with it, if anything.</summary>
    private static (Outcome Outcome, string? Problem) Check(FuzzInput input, int index, SessionOptions options, BgpMessage? original)
    {
        var bytes = input.Bytes;

        // Every 8th input arrives in pieces, as from a pipe (the decoder then copies to a pooled buffer).
        var sequence = index % 8 == 0 && bytes.Length > 0 ? ChunkedSequence.Split(bytes, 1 + (index % 37)) : new ReadOnlySequence<byte>(bytes);
        var buffer = sequence;
        var complete = BgpMessage.TryRead(ref buffer, options, out var message, out var error);
        var consumed = sequence.Length - buffer.Length;
        var (shouldComplete, framingError, length) = Framing(bytes, options);

        if (complete != shouldComplete)
        {
            return (Outcome.Incomplete, $"TryRead returned {complete} for {(shouldComplete ? "a whole message" : "an incomplete one")}");
        }

        if (!complete)
        {
            return message is null && error is null && consumed == 0
                ? (Outcome.Incomplete, Verify(input, original, Outcome.Incomplete, null, null))
                : (Outcome.Incomplete, $"returned false but set message {message}, error {error}, consumed {consumed}");
        }

        if ((message is null) == (error is null))
        {
            return (Outcome.Reset, $"message {message} and error {error}: exactly one must be set");
        }

        var expectedConsumed = framingError ? bytes.Length : length;
        if (consumed != expectedConsumed)
        {
            return (Outcome.Reset, $"consumed {consumed} bytes, expected {expectedConsumed}");
        }

        if (error is not null)
        {
            var invalid = error.Code is < NotificationCode.MessageHeaderError or > NotificationCode.RouteRefreshMessageError || error.Action != ErrorAction.SessionReset
                ? $"TryRead returned {error}: a NOTIFICATION code 1..7 with a session reset is required"
                : null;
            return (Outcome.Reset, invalid ?? Verify(input, original, Outcome.Reset, null, error));
        }

        var update = message as UpdateMessage;
        var outcome = update switch
        {
            { TreatAsWithdraw: not null } => Outcome.TreatAsWithdraw,
            { Discarded.Count: > 0 } => Outcome.AttributeDiscard,
            _ => Outcome.Accepted,
        };
        return (outcome, CheckUpdate(update) ?? CheckReencoding(message!, options) ?? Verify(input, original, outcome, message, null));
    }

    /// <summary>What TryRead must do with these bytes: complete or wait, and whether the header alone condemns them.</summary>
    private static (bool Complete, bool FramingError, int Length) Framing(byte[] bytes, SessionOptions options)
    {
        if (bytes.Length < BgpMessage.HeaderLength)
        {
            return (false, false, 0);
        }

        var length = (bytes[16] << 8) | bytes[17];
        if (bytes.AsSpan(0, 16).ContainsAnyExcept((byte)0xFF) || length < BgpMessage.HeaderLength || length > options.MaxMessageLength)
        {
            return (true, true, length);
        }

        return (bytes.Length >= length, false, length);
    }

    private static string? CheckUpdate(UpdateMessage? update)
    {
        if (update is null)
        {
            return null;
        }

        if (update.TreatAsWithdraw is { } reason &&
            (reason.Action != ErrorAction.TreatAsWithdraw || reason.Code != NotificationCode.UpdateMessageError || update.Announced().Any()))
        {
            return $"treat-as-withdraw {reason} but announces {string.Join(' ', update.Announced())}";
        }

        return update.Discarded.FirstOrDefault(d => d.Action != ErrorAction.AttributeDiscard || d.Code != NotificationCode.UpdateMessageError) is { } odd
            ? $"discarded with {odd}"
            : null;
    }

    /// <summary>A decoded message encodes again; a clean UPDATE decodes back to the same routes and attributes.</summary>
    private static string? CheckReencoding(BgpMessage message, SessionOptions options)
    {
        byte[] encoded;
        try
        {
            encoded = message.ToArray(options);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            return $"re-encoding {message} threw {e}";
        }

        if (message is not UpdateMessage { TreatAsWithdraw: null } update)
        {
            return null;
        }

        var buffer = new ReadOnlySequence<byte>(encoded);
        if (!BgpMessage.TryRead(ref buffer, options, out var again, out var error) || again is not UpdateMessage decoded)
        {
            return $"re-encoded as {Convert.ToHexString(encoded)}, which decodes to {error?.ToString() ?? "nothing"}";
        }

        if (!SameRoutes(update.Announced(), decoded.Announced()) || !SameRoutes(update.WithdrawnRoutes(), decoded.WithdrawnRoutes()))
        {
            return $"re-encoded as {Convert.ToHexString(encoded)}, which decodes to other routes: {decoded}";
        }

        // An unknown transitive attribute is passed on with Partial set (RFC 4271 §5); a 2-octet session rebuilds AS_PATH from AS4_PATH.
        if (options.FourOctetAs && update.Attributes is { } attributes && !Equals(WithPartial(attributes), WithPartial(decoded.Attributes)))
        {
            return $"re-encoded as {Convert.ToHexString(encoded)}, which decodes to other attributes: {decoded.Attributes} vs {attributes}";
        }

        return null;
    }

    private static PathAttributes? WithPartial(PathAttributes? attributes) =>
        attributes is null ? null : attributes with { Unknown = attributes.Unknown.Select(u => u with { Flags = (byte)(u.Flags | (byte)AttributeFlags.Partial) }).ToArray() };

    /// <summary>The same routes, each as many times, in any order.</summary>
    private static bool SameRoutes(IEnumerable<(AfiSafi, Nlri)> a, IEnumerable<(AfiSafi, Nlri)> b)
    {
        var counts = new Dictionary<(AfiSafi, Nlri), int>();
        foreach (var route in a)
        {
            counts[route] = counts.GetValueOrDefault(route) + 1;
        }

        foreach (var route in b)
        {
            counts[route] = counts.GetValueOrDefault(route) - 1;
        }

        return counts.Values.All(c => c == 0);
    }

    /// <summary>Checks the outcome against the expectation of the input's class, under the options its source was encoded with.</summary>
    private static string? Verify(FuzzInput input, BgpMessage? original, Outcome outcome, BgpMessage? message, BgpError? error)
    {
        if (original is null || input.Expected is not { } expected)
        {
            return null;
        }

        var wanted = expected.Outcome switch
        {
            ExpectedOutcome.Incomplete => Outcome.Incomplete,
            ExpectedOutcome.Reset => Outcome.Reset,
            ExpectedOutcome.TreatAsWithdraw => Outcome.TreatAsWithdraw,
            ExpectedOutcome.AttributeDiscard => Outcome.AttributeDiscard,
            _ => Outcome.Accepted,
        };
        if (outcome != wanted)
        {
            return $"outcome {outcome} ({(object?)error ?? message}), expected {expected}";
        }

        var update = message as UpdateMessage;
        var originalUpdate = original as UpdateMessage;
        switch (expected.Outcome)
        {
            case ExpectedOutcome.Reset:
                return Matches(error!, expected);
            case ExpectedOutcome.TreatAsWithdraw:
                // Every route of the UPDATE is withdrawn: the ones it withdrew and the ones it announced.
                var all = originalUpdate!.WithdrawnRoutes().Concat(originalUpdate.Announced());
                return Matches(update!.TreatAsWithdraw!, expected) ??
                       (SameRoutes(all, update.WithdrawnRoutes()) ? null : $"withdraws {string.Join(' ', update.WithdrawnRoutes())}, expected {string.Join(' ', all)}");
            case ExpectedOutcome.AttributeDiscard:
                if (!update!.Discarded.Any(d => Matches(d, expected) is null))
                {
                    return $"discarded {string.Join("; ", update.Discarded)}, expected {expected}";
                }

                return SameRoutes(originalUpdate!.Announced(), update.Announced()) ? null : $"announces {update}, expected the routes of {originalUpdate}";
            case ExpectedOutcome.Accepted when original.Type != message!.Type:
                return $"decoded a {message.Type}, expected a {original.Type}";
            case ExpectedOutcome.Accepted when originalUpdate is not null:
                return SameRoutes(originalUpdate.Announced(), update!.Announced()) && SameRoutes(originalUpdate.WithdrawnRoutes(), update.WithdrawnRoutes())
                    ? null
                    : $"decoded {update}, expected the routes of {originalUpdate}";
            default:
                return null;
        }
    }

    private static string? Matches(BgpError error, Expectation expected) =>
        error.Code == expected.Code && (expected.Subcode is null || error.Subcode == expected.Subcode) &&
        (expected.Data is null || error.Data.Span.SequenceEqual(expected.Data))
            ? null
            : $"got {error} data {Convert.ToHexString(error.Data.Span)}, expected {expected}";

    private static string Table(Dictionary<MutationClass, int> perClass, Dictionary<(MutationClass, Outcome), int> counts)
    {
        var outcomes = Enum.GetValues<Outcome>();
        var text = new StringBuilder();
        text.Append($"{"class (outcome under its own profile)",-34}{"inputs",8}");
        foreach (var outcome in outcomes)
        {
            text.Append($"{outcome,17}");
        }

        text.AppendLine();
        foreach (var @class in Enum.GetValues<MutationClass>())
        {
            text.Append($"{@class,-34}{perClass.GetValueOrDefault(@class),8}");
            foreach (var outcome in outcomes)
            {
                text.Append($"{counts.GetValueOrDefault((@class, outcome)),17}");
            }

            text.AppendLine();
        }

        return text.ToString();
    }
}
