using Microsoft.Extensions.Logging;

namespace Routing.Dataplane.Routes;

public sealed partial class RouteTable
{
    [LoggerMessage(EventId = 1, Level = LogLevel.Debug, Message = "Route table applied {Added} added, {Replaced} replaced, {Deleted} deleted, {Errors} refused, {Conflicts} held by other owners (full resync {FullResync}) in {Milliseconds:0.0} ms")]
    private partial void LogApplied(int added, int replaced, int deleted, int errors, int conflicts, bool fullResync, double milliseconds);

    [LoggerMessage(EventId = 2, Level = LogLevel.Warning, Message = "Route request refused, will retry: {Error}")]
    private partial void LogRequestFailed(string error);

    [LoggerMessage(EventId = 3, Level = LogLevel.Warning, Message = "Route {Key} is held by another owner's route; leaving it alone")]
    private partial void LogConflict(string key);

    [LoggerMessage(EventId = 4, Level = LogLevel.Error, Message = "Route monitor stopped ({Reason}); drift is repaired only by periodic resyncs now")]
    private partial void LogMonitorStopped(string reason);

    [LoggerMessage(EventId = 5, Level = LogLevel.Error, Message = "Applying routes failed ({Error}); a full resync follows")]
    private partial void LogApplyFailed(string error);

    [LoggerMessage(EventId = 6, Level = LogLevel.Warning, Message = "The kernel has no nexthop objects ({Error}); routes name their gateways")]
    private partial void LogNexthopsRefused(string error);

    [LoggerMessage(EventId = 7, Level = LogLevel.Warning, Message = "Nexthop refused ({Error}); its routes name their gateway")]
    private partial void LogNexthopFailed(string error);
}
