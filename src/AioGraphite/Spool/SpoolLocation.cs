namespace AioGraphite.Spool;

/// <summary>Where a spooled record is: its file, the offset of its header, and what it holds.</summary>
internal readonly record struct SpoolLocation(SpoolFile File, long Offset, int PayloadLength, long Sequence, int Points);
