using Microsoft.Extensions.Logging;

namespace AioGraphite.Diagnostics;

/// <summary>Source-generated log messages; every EventId is unique and never reused.</summary>
internal static partial class GraphiteLog
{
    [LoggerMessage(EventId = 1, EventName = "Connected", Level = LogLevel.Information, Message = "Connected to Graphite at {Destination} ({Transport})")]
    public static partial void Connected(ILogger logger, string destination, string transport);

    [LoggerMessage(EventId = 2, EventName = "Reconnected", Level = LogLevel.Information, Message = "Reconnected to Graphite at {Destination} after {Attempts} attempt(s); replaying {ReplayPoints} recently written point(s)")]
    public static partial void Reconnected(ILogger logger, string destination, int attempts, long replayPoints);

    [LoggerMessage(EventId = 3, EventName = "ConnectFailed", Level = LogLevel.Warning, Message = "Could not connect to Graphite at {Destination}; retrying in {DelayMs} ms (attempt {Attempt})")]
    public static partial void ConnectFailed(ILogger logger, string destination, long delayMs, int attempt, Exception exception);

    [LoggerMessage(EventId = 4, EventName = "Disconnected", Level = LogLevel.Warning, Message = "Lost the connection to Graphite at {Destination}: {Reason}; {Pending} byte(s) will be sent again after reconnecting")]
    public static partial void Disconnected(ILogger logger, string destination, string reason, long pending);

    [LoggerMessage(EventId = 5, EventName = "PointsDropped", Level = LogLevel.Warning, Message = "Dropped {Count} point(s) for {Destination}: {Reason}")]
    public static partial void PointsDropped(ILogger logger, string destination, long count, string reason);

    [LoggerMessage(EventId = 6, EventName = "Undelivered", Level = LogLevel.Error, Message = "Closing: {Count} point(s) could not be delivered to {Destination} within the drain timeout of {TimeoutMs} ms")]
    public static partial void Undelivered(ILogger logger, string destination, long count, long timeoutMs);

    [LoggerMessage(EventId = 7, EventName = "Closed", Level = LogLevel.Debug, Message = "Closed the Graphite client for {Destination}: {Written} point(s) written, {Replayed} replayed, {Dropped} dropped")]
    public static partial void Closed(ILogger logger, string destination, long written, long replayed, long dropped);

    [LoggerMessage(EventId = 8, EventName = "SenderFault", Level = LogLevel.Error, Message = "Unexpected error in the Graphite sender for {Destination}; it keeps running")]
    public static partial void SenderFault(ILogger logger, string destination, Exception exception);

    [LoggerMessage(EventId = 9, EventName = "DatagramFailed", Level = LogLevel.Warning, Message = "Could not send a UDP datagram to {Destination}; {Points} point(s) lost")]
    public static partial void DatagramFailed(ILogger logger, string destination, int points, Exception exception);
}
