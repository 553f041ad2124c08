using System.Net;
using Microsoft.Extensions.Logging;
using Routing.Bgp.Fsm;

namespace Routing.Bgp.Sessions;

public sealed partial class Peer
{
    private static partial class Log
    {
        [LoggerMessage(EventId = 1, Level = LogLevel.Information, Message = "BGP peer {Peer}: {From} -> {To} on {Event} ({Reason})")]
        public static partial void Transition(ILogger logger, IPAddress peer, BgpState from, BgpState to, BgpEvent @event, TransitionReason reason);

        [LoggerMessage(EventId = 2, Level = LogLevel.Warning, Message = "BGP peer {Peer}: sent {Notification}: {Detail}")]
        public static partial void NotificationSent(ILogger logger, IPAddress peer, string notification, string detail);

        [LoggerMessage(EventId = 3, Level = LogLevel.Warning, Message = "BGP peer {Peer}: received {Notification}")]
        public static partial void NotificationReceived(ILogger logger, IPAddress peer, string notification);

        [LoggerMessage(EventId = 4, Level = LogLevel.Warning, Message = "BGP peer {Peer}: UPDATE handled as withdraw: {Error}")]
        public static partial void TreatAsWithdraw(ILogger logger, IPAddress peer, Routing.Bgp.Wire.BgpError error);

        [LoggerMessage(EventId = 5, Level = LogLevel.Warning, Message = "BGP peer {Peer}: attribute discarded: {Error}")]
        public static partial void AttributeDiscarded(ILogger logger, IPAddress peer, Routing.Bgp.Wire.BgpError error);

        [LoggerMessage(EventId = 6, Level = LogLevel.Debug, Message = "BGP peer {Peer}: connection {Connection}: {What}")]
        public static partial void ConnectionEvent(ILogger logger, IPAddress peer, object connection, string what);

        [LoggerMessage(EventId = 9, Level = LogLevel.Information, Message = "BGP peer {Peer}: connection {Connection} closed: {Reason}")]
        public static partial void ConnectionClosed(ILogger logger, IPAddress peer, object connection, string reason);

        [LoggerMessage(EventId = 10, Level = LogLevel.Debug, Message = "BGP peer {Peer}: routes refused: {Reason}")]
        public static partial void RoutesRefused(ILogger logger, IPAddress peer, string reason);

        [LoggerMessage(EventId = 7, Level = LogLevel.Error, Message = "BGP peer {Peer}: unexpected failure handling {Input}; resetting the session")]
        public static partial void Failure(ILogger logger, IPAddress peer, string input, Exception exception);

        [LoggerMessage(EventId = 8, Level = LogLevel.Information, Message = "BGP peer {Peer}: End-of-RIB received for {Family}")]
        public static partial void EndOfRib(ILogger logger, IPAddress peer, Routing.Bgp.Wire.AfiSafi family);
    }
}
