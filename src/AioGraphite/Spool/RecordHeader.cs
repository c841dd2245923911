namespace AioGraphite.Spool;

/// <summary>A spool record's header fields (see <see cref="SpoolRecord"/>).</summary>
internal readonly record struct RecordHeader(int PayloadLength, long Sequence, int Points, SpoolFormat Format, uint Crc);
