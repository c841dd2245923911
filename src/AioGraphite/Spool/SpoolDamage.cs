namespace AioGraphite.Spool;

/// <summary>
/// A damaged range of a record file: where it is, how many records it seems to hold (records whose headers survived, plus
/// one for a rest that no header accounts for), their points (from the surviving headers; <paramref name="PointsKnown"/>
/// is false when part of the range has none), and why its first byte does not start a valid record.
/// </summary>
internal readonly record struct SpoolDamage(long Offset, long Length, int Records, long Points, bool PointsKnown, string Reason);
