namespace AioGraphite;

/// <summary>Damaged data found in a spool by <see cref="GraphiteSpool.Inspect"/>: a damaged range of a record file, a torn tail, or a quarantined file.</summary>
/// <param name="File">The file's name in its destination directory (e.g. <c>000000000001.spool</c>).</param>
/// <param name="Kind"><see cref="Damaged"/>, <see cref="TornTail"/> or <see cref="Quarantined"/>.</param>
/// <param name="Offset">Where the damage starts in the file (0 for a quarantined file).</param>
/// <param name="Bytes">Damaged bytes (a quarantined file's length).</param>
/// <param name="Records">Records lost to it, as far as their headers tell (at least 1 for a damaged range; 0 when unknown).</param>
/// <param name="Points">Points of those records, or <see langword="null"/> when part of the range has no readable header.</param>
/// <param name="Reason">Why its first byte does not start a valid record.</param>
public sealed record GraphiteSpoolDamage(string File, string Kind, long Offset, long Bytes, int Records, long? Points, string Reason)
{
    /// <summary><see cref="Kind"/> of a damaged range before a valid record, or at the end of a file that is not the last: its records cannot be sent.</summary>
    public const string Damaged = "damaged";

    /// <summary><see cref="Kind"/> of an incomplete record at the end of the last file (an append a crash interrupted, never synced); the next client cuts it off.</summary>
    public const string TornTail = "torn_tail";

    /// <summary><see cref="Kind"/> of a copy of a damaged file (<c>*.corrupt</c>) that a client kept for an operator to look at (it counts against <c>SpoolMaxBytes</c>; delete it once looked at).</summary>
    public const string Quarantined = "quarantined";
}
