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

    [LoggerMessage(EventId = 6, EventName = "Undelivered", Level = LogLevel.Error, Message = "Closing: carbon at {Destination} did not consume {Count} point(s) within the drain timeout of {TimeoutMs} ms")]
    public static partial void Undelivered(ILogger logger, string destination, long count, long timeoutMs);

    [LoggerMessage(EventId = 7, EventName = "Closed", Level = LogLevel.Debug, Message = "Closed the Graphite client for {Destination}: {Written} point(s) written, {Delivered} delivered, {Replayed} replayed, {Dropped} dropped")]
    public static partial void Closed(ILogger logger, string destination, long written, long delivered, long replayed, long dropped);

    [LoggerMessage(EventId = 8, EventName = "SenderFault", Level = LogLevel.Error, Message = "Unexpected error in the Graphite sender for {Destination}; it keeps running")]
    public static partial void SenderFault(ILogger logger, string destination, Exception exception);

    [LoggerMessage(EventId = 9, EventName = "DatagramFailed", Level = LogLevel.Warning, Message = "Could not send a UDP datagram to {Destination}; {Points} point(s) lost")]
    public static partial void DatagramFailed(ILogger logger, string destination, int points, Exception exception);

    [LoggerMessage(EventId = 10, EventName = "DeliveryConfirmed", Level = LogLevel.Debug, Message = "carbon at {Destination} closed in order after our end of stream: all {Bytes} byte(s) of the connection were consumed")]
    public static partial void DeliveryConfirmed(ILogger logger, string destination, long bytes);

    [LoggerMessage(EventId = 11, EventName = "DeliveryNotConfirmed", Level = LogLevel.Warning, Message = "carbon at {Destination} did not close within {TimeoutMs} ms of our end of stream (frozen, or gone); the unconfirmed points will be sent again on a new connection")]
    public static partial void DeliveryNotConfirmed(ILogger logger, string destination, long timeoutMs);

    [LoggerMessage(EventId = 12, EventName = "ConnectionLostWithoutReplay", Level = LogLevel.Warning, Message = "Lost the connection to Graphite at {Destination} with {Count} point(s) carbon had not consumed; replay is off, so they are given up")]
    public static partial void ConnectionLostWithoutReplay(ILogger logger, string destination, long count);

    [LoggerMessage(EventId = 13, EventName = "ConnectionRenewed", Level = LogLevel.Debug, Message = "Opened a new connection to Graphite at {Destination} after confirming delivery")]
    public static partial void ConnectionRenewed(ILogger logger, string destination);

    [LoggerMessage(EventId = 14, EventName = "SpoolRecovered", Level = LogLevel.Information, Message = "Spool of {Destination} in {Directory}: {Points} point(s) in {Records} record(s) left by an earlier process will be sent first")]
    public static partial void SpoolRecovered(ILogger logger, string destination, string directory, long points, int records);

    [LoggerMessage(EventId = 15, EventName = "SpoolTornTail", Level = LogLevel.Warning, Message = "Spool of {Destination} in {Directory}: cut {Count} incomplete record(s) off the end (an append interrupted by a crash; they had not been synced)")]
    public static partial void SpoolTornTail(ILogger logger, string destination, string directory, int count);

    // EventId 16 (SpoolQuarantined: whole files renamed aside) is retired: damage is now reported per file (32, 33).

    [LoggerMessage(EventId = 17, EventName = "SpoolFailed", Level = LogLevel.Error, Message = "Spool of {Destination} in {Directory} is unavailable: {Reason}. Points stay in memory under the full-buffer policy (drops are counted) until the spool works again")]
    public static partial void SpoolFailed(ILogger logger, string destination, string directory, string reason);

    [LoggerMessage(EventId = 18, EventName = "SpoolResumed", Level = LogLevel.Information, Message = "Spool of {Destination} in {Directory}: writing again")]
    public static partial void SpoolResumed(ILogger logger, string destination, string directory);

    [LoggerMessage(EventId = 19, EventName = "SpoolRecordLost", Level = LogLevel.Error, Message = "Spool of {Destination} in {Directory}: a record of {Points} point(s) no longer matches its checksum when read back; it is given up")]
    public static partial void SpoolRecordLost(ILogger logger, string destination, string directory, int points);

    [LoggerMessage(EventId = 20, EventName = "SpoolLeftForNextStart", Level = LogLevel.Warning, Message = "Closing: {Points} point(s) that carbon at {Destination} did not consume, or may have lost, stay in the spool {Directory}; the next client opened on it sends them first")]
    public static partial void SpoolLeftForNextStart(ILogger logger, string destination, string directory, long points);

    [LoggerMessage(EventId = 21, EventName = "ClosedBeforeConsuming", Level = LogLevel.Warning, Message = "The connection to Graphite at {Destination} closed before carbon read anything on it (a TLS terminator or relay whose carbon is down?); retrying in {DelayMs} ms (attempt {Attempt})")]
    public static partial void ClosedBeforeConsuming(ILogger logger, string destination, long delayMs, int attempt);

    [LoggerMessage(EventId = 22, EventName = "NotReplayed", Level = LogLevel.Error, Message = "Closing: {Count} point(s) carbon at {Destination} read but may have lost (its connection was lost, or it had not been seen running for the replay window since) were not sent again, and there is no spool to keep them")]
    public static partial void NotReplayed(ILogger logger, string destination, long count);

    [LoggerMessage(EventId = 23, EventName = "SpoolWriterHung", Level = LogLevel.Error, Message = "Closing: the spool of {Destination} in {Directory} did not finish its write or sync within the close's deadline (+{GraceMs} ms): the disk hangs? The close goes on without it; what it had not spooled counts as undelivered, and the spool is released when the write returns")]
    public static partial void SpoolWriterHung(ILogger logger, string destination, string directory, long graceMs);

    [LoggerMessage(EventId = 24, EventName = "SpoolReleasedAfterClose", Level = LogLevel.Warning, Message = "Spool of {Destination} in {Directory}: the write that held up the close has returned; the spool is released")]
    public static partial void SpoolReleasedAfterClose(ILogger logger, string destination, string directory);

    [LoggerMessage(EventId = 25, EventName = "SenderHung", Level = LogLevel.Error, Message = "Closing: the sender of {Destination} did not stop within the close's deadline (+{GraceMs} ms), held up by the spool's disk? The close goes on without it: {Points} point(s) not consumed by carbon count as undelivered")]
    public static partial void SenderHung(ILogger logger, string destination, long graceMs, long points);

    [LoggerMessage(EventId = 26, EventName = "SpoolLockWaiting", Level = LogLevel.Warning, Message = "The spool {Directory} is in use by {Holder}: waiting up to {TimeoutMs} ms for it to be released (SpoolLockTimeout)")]
    public static partial void SpoolLockWaiting(ILogger logger, string directory, string holder, long timeoutMs);

    [LoggerMessage(EventId = 32, EventName = "SpoolDamaged", Level = LogLevel.Error, Message = "Spool of {Destination}: the file {File} has {Records} damaged record(s) ({Bytes} byte(s), {Points} point(s) by the headers that survived) that cannot be sent; the valid records before and after the damage are sent. A copy of the file as found is kept in {KeptAs}. The first damage is at offset {Offset}: {Reason}")]
    public static partial void SpoolDamaged(ILogger logger, string destination, string file, int records, long bytes, long points, string keptAs, long offset, string reason);

    [LoggerMessage(EventId = 33, EventName = "SpoolDamagedNotKept", Level = LogLevel.Error, Message = "Spool of {Destination}: the file {File} has {Records} damaged record(s) ({Bytes} byte(s), {Points} point(s) by the headers that survived) that cannot be sent; the valid records before and after the damage are sent. No copy of it could be kept aside: {Failure}. The first damage is at offset {Offset}: {Reason}")]
    public static partial void SpoolDamagedNotKept(ILogger logger, string destination, string file, int records, long bytes, long points, string failure, long offset, string reason);

    [LoggerMessage(EventId = 34, EventName = "SpoolQuarantinePruned", Level = LogLevel.Warning, Message = "Spool of {Destination}: deleted {File} ({Bytes} byte(s)), the oldest copy of a damaged spool file, to keep the spool within SpoolMaxBytes")]
    public static partial void SpoolQuarantinePruned(ILogger logger, string destination, string file, long bytes);

    [LoggerMessage(EventId = 35, EventName = "SpoolSyncFailed", Level = LogLevel.Error, Message = "Spool of {Destination} in {Directory}: a sync (fsync) failed: {Reason}. The {Points} point(s) written since the last good sync are not durable (the disk may have dropped them) and are not counted as spooled; they are still sent while this process runs, a crash before carbon has them loses them")]
    public static partial void SpoolSyncFailed(ILogger logger, string destination, string directory, string reason, long points);

    [LoggerMessage(EventId = 40, EventName = "SpoolOrphaned", Level = LogLevel.Warning, Message = "Spool directory {Directory} holds {Points} point(s) ({Bytes} bytes, oldest {Oldest}) for {Identity}, a destination this client does not send to: they are not sent. Send them with 'aiographite spool drain {Directory}' (or move the directory away)")]
    public static partial void SpoolOrphaned(ILogger logger, string directory, long points, long bytes, string oldest, string identity);
}
