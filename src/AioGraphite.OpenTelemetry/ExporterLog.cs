using Microsoft.Extensions.Logging;

namespace AioGraphite.OpenTelemetry;

/// <summary>Source-generated log messages of the exporter (EventIds 201-299; the core uses 1-99, hosting 101-199).</summary>
internal static partial class ExporterLog
{
    [LoggerMessage(EventId = 201, EventName = "PointsRefused", Level = LogLevel.Warning, Message = "The Graphite exporter wrote {Written} point(s) but {Refused} were refused by {Client} (closed, full buffer or invalid name)")]
    public static partial void PointsRefused(ILogger logger, long refused, long written, string client);

    [LoggerMessage(EventId = 202, EventName = "NotYetWritten", Level = LogLevel.Warning, Message = "The Graphite exporter handed {Count} point(s) to {Client} but they were not written within {TimeoutMs} ms (is carbon reachable?); they stay buffered")]
    public static partial void NotYetWritten(ILogger logger, long count, int timeoutMs, string client);

    [LoggerMessage(EventId = 203, EventName = "InvalidPoint", Level = LogLevel.Warning, Message = "The Graphite exporter could not write {Metric}: {Reason}")]
    public static partial void InvalidPoint(ILogger logger, string metric, string reason);
}
