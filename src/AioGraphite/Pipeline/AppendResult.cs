namespace AioGraphite.Pipeline;

/// <summary>Outcome of <see cref="BatchQueue.Append"/>; tells the caller whether to wake the sender.</summary>
internal enum AppendResult
{
    /// <summary>Appended to a segment that already had points.</summary>
    Appended,

    /// <summary>Appended as the first point of a new open segment: the batch interval starts.</summary>
    AppendedFirstInSegment,

    /// <summary>A segment was sealed and queued, then the point went into a new one: the sender has work.</summary>
    AppendedAfterSeal,

    /// <summary>No room (buffer full).</summary>
    NoRoom,

    /// <summary>A segment was sealed and queued, and then there was no room.</summary>
    NoRoomAfterSeal,
}
