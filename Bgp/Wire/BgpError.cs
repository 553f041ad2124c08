namespace Routing.Bgp.Wire;

/// <summary>NOTIFICATION error codes, RFC 4271 §4.5 (and RFC 7313 for route refresh).</summary>
public enum NotificationCode : byte
{
    MessageHeaderError = 1,
    OpenMessageError = 2,
    UpdateMessageError = 3,
    HoldTimerExpired = 4,
    FsmError = 5,
    Cease = 6,
    RouteRefreshMessageError = 7,
}

/// <summary>What RFC 7606 says to do about an error found in a received message.</summary>
public enum ErrorAction
{
    /// <summary>Send the NOTIFICATION and close the session (RFC 4271 §6).</summary>
    SessionReset,

    /// <summary>Handle every NLRI of the UPDATE as withdrawn (RFC 7606 §2).</summary>
    TreatAsWithdraw,

    /// <summary>Drop the malformed attribute and go on (RFC 7606 §2).</summary>
    AttributeDiscard,
}

/// <summary>
/// An error in a received message: the NOTIFICATION it warrants (code, subcode, the offending
/// data) and the RFC 7606 action. A value, never an exception, so a bad message cannot unwind a session.
/// </summary>
public sealed record BgpError(NotificationCode Code, byte Subcode, ReadOnlyMemory<byte> Data, ErrorAction Action, string Reason)
{
    public static BgpError Reset(NotificationCode code, byte subcode, string reason, ReadOnlySpan<byte> data = default) =>
        new(code, subcode, data.ToArray(), ErrorAction.SessionReset, reason);

    public static BgpError Header(byte subcode, string reason, ReadOnlySpan<byte> data = default) =>
        Reset(NotificationCode.MessageHeaderError, subcode, reason, data);

    public static BgpError Open(byte subcode, string reason, ReadOnlySpan<byte> data = default) =>
        Reset(NotificationCode.OpenMessageError, subcode, reason, data);

    public static BgpError Update(byte subcode, ErrorAction action, string reason, ReadOnlySpan<byte> data = default) =>
        new(NotificationCode.UpdateMessageError, subcode, data.ToArray(), action, reason);

    public override string ToString() =>
        $"{Code}/{ErrorSubcodes.Describe(Code, Subcode)} ({Action}): {Reason}";
}

/// <summary>Subcodes of RFC 4271 §4.5 and later RFCs (4486, 8203, 9003).</summary>
public static class ErrorSubcodes
{
    // Message Header Error
    public const byte ConnectionNotSynchronized = 1;
    public const byte BadMessageLength = 2;
    public const byte BadMessageType = 3;

    // OPEN Message Error
    public const byte UnsupportedVersionNumber = 1;
    public const byte BadPeerAs = 2;
    public const byte BadBgpIdentifier = 3;
    public const byte UnsupportedOptionalParameter = 4;
    public const byte UnacceptableHoldTime = 6;
    public const byte UnsupportedCapability = 7;

    // UPDATE Message Error
    public const byte MalformedAttributeList = 1;
    public const byte UnrecognizedWellKnownAttribute = 2;
    public const byte MissingWellKnownAttribute = 3;
    public const byte AttributeFlagsError = 4;
    public const byte AttributeLengthError = 5;
    public const byte InvalidOriginAttribute = 6;
    public const byte InvalidNextHopAttribute = 8;
    public const byte OptionalAttributeError = 9;
    public const byte InvalidNetworkField = 10;
    public const byte MalformedAsPath = 11;

    // Cease (RFC 4486)
    public const byte MaximumPrefixesReached = 1;
    public const byte AdministrativeShutdown = 2;
    public const byte PeerDeconfigured = 3;
    public const byte AdministrativeReset = 4;
    public const byte ConnectionRejected = 5;
    public const byte OtherConfigurationChange = 6;
    public const byte ConnectionCollisionResolution = 7;
    public const byte OutOfResources = 8;

    // ROUTE-REFRESH Message Error (RFC 7313)
    public const byte InvalidMessageLength = 1;

    // FSM Error (RFC 6608)
    public const byte UnexpectedMessageInOpenSent = 1;
    public const byte UnexpectedMessageInOpenConfirm = 2;
    public const byte UnexpectedMessageInEstablished = 3;

    public static string Describe(NotificationCode code, byte subcode) => (code, subcode) switch
    {
        (NotificationCode.MessageHeaderError, ConnectionNotSynchronized) => "Connection Not Synchronized",
        (NotificationCode.MessageHeaderError, BadMessageLength) => "Bad Message Length",
        (NotificationCode.MessageHeaderError, BadMessageType) => "Bad Message Type",
        (NotificationCode.OpenMessageError, UnsupportedVersionNumber) => "Unsupported Version Number",
        (NotificationCode.OpenMessageError, BadPeerAs) => "Bad Peer AS",
        (NotificationCode.OpenMessageError, BadBgpIdentifier) => "Bad BGP Identifier",
        (NotificationCode.OpenMessageError, UnsupportedOptionalParameter) => "Unsupported Optional Parameter",
        (NotificationCode.OpenMessageError, UnacceptableHoldTime) => "Unacceptable Hold Time",
        (NotificationCode.OpenMessageError, UnsupportedCapability) => "Unsupported Capability",
        (NotificationCode.UpdateMessageError, MalformedAttributeList) => "Malformed Attribute List",
        (NotificationCode.UpdateMessageError, UnrecognizedWellKnownAttribute) => "Unrecognized Well-known Attribute",
        (NotificationCode.UpdateMessageError, MissingWellKnownAttribute) => "Missing Well-known Attribute",
        (NotificationCode.UpdateMessageError, AttributeFlagsError) => "Attribute Flags Error",
        (NotificationCode.UpdateMessageError, AttributeLengthError) => "Attribute Length Error",
        (NotificationCode.UpdateMessageError, InvalidOriginAttribute) => "Invalid ORIGIN Attribute",
        (NotificationCode.UpdateMessageError, InvalidNextHopAttribute) => "Invalid NEXT_HOP Attribute",
        (NotificationCode.UpdateMessageError, OptionalAttributeError) => "Optional Attribute Error",
        (NotificationCode.UpdateMessageError, InvalidNetworkField) => "Invalid Network Field",
        (NotificationCode.UpdateMessageError, MalformedAsPath) => "Malformed AS_PATH",
        (NotificationCode.HoldTimerExpired, _) => "Hold Timer Expired",
        (NotificationCode.FsmError, UnexpectedMessageInOpenSent) => "Unexpected Message in OpenSent",
        (NotificationCode.FsmError, UnexpectedMessageInOpenConfirm) => "Unexpected Message in OpenConfirm",
        (NotificationCode.FsmError, UnexpectedMessageInEstablished) => "Unexpected Message in Established",
        (NotificationCode.Cease, MaximumPrefixesReached) => "Maximum Number of Prefixes Reached",
        (NotificationCode.Cease, AdministrativeShutdown) => "Administrative Shutdown",
        (NotificationCode.Cease, PeerDeconfigured) => "Peer De-configured",
        (NotificationCode.Cease, AdministrativeReset) => "Administrative Reset",
        (NotificationCode.Cease, ConnectionRejected) => "Connection Rejected",
        (NotificationCode.Cease, OtherConfigurationChange) => "Other Configuration Change",
        (NotificationCode.Cease, ConnectionCollisionResolution) => "Connection Collision Resolution",
        (NotificationCode.Cease, OutOfResources) => "Out of Resources",
        (NotificationCode.RouteRefreshMessageError, InvalidMessageLength) => "Invalid Message Length",
        _ => $"subcode {subcode}",
    };
}
