namespace AioGraphite.Spool;

/// <summary>
/// Damage that recovery found in one record file: its ranges (<see cref="SpoolScanner"/>), and where the file was copied
/// aside for an operator (<paramref name="KeptAs"/>, or <see langword="null"/> with <paramref name="KeepFailure"/> when
/// the copy could not be made).
/// </summary>
internal sealed record SpoolFileDamage(string Path, IReadOnlyList<SpoolDamage> Ranges, string? KeptAs, string? KeepFailure)
{
    /// <summary>Records lost to the damage (as far as headers tell; at least one per range).</summary>
    public int Records => Ranges.Sum(r => r.Records);

    /// <summary>Damaged bytes.</summary>
    public long Bytes => Ranges.Sum(r => r.Length);

    /// <summary>Points of the damaged records whose headers survived.</summary>
    public long Points => Ranges.Sum(r => r.Points);

    /// <summary>Whether every damaged range's points are known (each part of it had a surviving header).</summary>
    public bool PointsKnown => Ranges.All(r => r.PointsKnown);
}
