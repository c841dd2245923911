namespace AioGraphite.Pipeline;

/// <summary>What happened while <see cref="BatchQueue.Append"/> appended a run of points; tells the caller whether to wake the sender.</summary>
[Flags]
internal enum AppendResult
{
    /// <summary>Appended to a segment that already had points.</summary>
    Appended = 0,

    /// <summary>A new open segment got the first point: the batch interval starts.</summary>
    OpenedSegment = 1,

    /// <summary>A full segment was sealed and queued (the rest went into a new one): the sender has work.</summary>
    Sealed = 2,

    /// <summary>No room (buffer full): the points from the returned count on were not appended.</summary>
    NoRoom = 4,
}
