namespace AioGraphite;

/// <summary>What the disk spool holds and has done (all zero without <see cref="GraphiteClientOptions.SpoolDirectory"/>).</summary>
public readonly record struct GraphiteSpoolStatistics
{
    /// <summary>Bytes of record files on disk.</summary>
    public long Bytes { get; init; }

    /// <summary>Records in the files on disk (each a batch of points; retired ones count until their file is deleted).</summary>
    public long Records { get; init; }

    /// <summary>Record files on disk.</summary>
    public int Files { get; init; }

    /// <summary>Points written to the spool and synced to disk (durable) by this client.</summary>
    public long PointsSpooled { get; init; }

    /// <summary>Points an earlier process left in the spool, found when this client opened it (they are sent first).</summary>
    public long PointsRecovered { get; init; }

    /// <summary>Incomplete records cut off the end at start-up (an append interrupted by a crash, never synced).</summary>
    public long TornTails { get; init; }

    /// <summary>
    /// Damaged record files found at start-up and kept aside for an operator: a copy of each as found is written next to
    /// it as <c>NAME.spool.corrupt</c> (an earlier start's copy is kept); its valid records before and after the damage are sent.
    /// </summary>
    public long QuarantinedFiles { get; init; }

    /// <summary>
    /// Bytes of the copies of damaged files (<c>.corrupt</c>) in the spool now. They count against
    /// <see cref="GraphiteClientOptions.SpoolMaxBytes"/> and are deleted, oldest first, when the spool needs their room.
    /// </summary>
    public long QuarantinedBytes { get; init; }

    /// <summary>
    /// Damaged records found at start-up that could not be sent (as far as their headers tell: at least one per damaged
    /// range). Only the damaged records are lost: the valid records after them are sent. Retired damage is not counted.
    /// </summary>
    public long DamagedRecords { get; init; }

    /// <summary>Bytes of the damaged ranges found at start-up (see <see cref="DamagedRecords"/>).</summary>
    public long DamagedBytes { get; init; }

    /// <summary>
    /// Points in the damaged records found at start-up, from the headers that survived (a record whose header is damaged
    /// counts in <see cref="DamagedRecords"/> but adds nothing here, so this is a lower bound).
    /// </summary>
    public long DamagedPoints { get; init; }

    /// <summary>Failed spool writes or syncs (a full disk, an I/O error); meanwhile points stay in memory.</summary>
    public long Errors { get; init; }

    /// <summary>Syncs (fsync) done.</summary>
    public long Syncs { get; init; }

    /// <summary>The longest sync so far.</summary>
    public TimeSpan MaxSyncDuration { get; init; }

    /// <summary>Adds two snapshots (destinations of one client).</summary>
    internal GraphiteSpoolStatistics Plus(GraphiteSpoolStatistics other) => new()
    {
        Bytes = Bytes + other.Bytes,
        Records = Records + other.Records,
        Files = Files + other.Files,
        PointsSpooled = PointsSpooled + other.PointsSpooled,
        PointsRecovered = PointsRecovered + other.PointsRecovered,
        TornTails = TornTails + other.TornTails,
        QuarantinedFiles = QuarantinedFiles + other.QuarantinedFiles,
        QuarantinedBytes = QuarantinedBytes + other.QuarantinedBytes,
        DamagedRecords = DamagedRecords + other.DamagedRecords,
        DamagedBytes = DamagedBytes + other.DamagedBytes,
        DamagedPoints = DamagedPoints + other.DamagedPoints,
        Errors = Errors + other.Errors,
        Syncs = Syncs + other.Syncs,
        MaxSyncDuration = MaxSyncDuration > other.MaxSyncDuration ? MaxSyncDuration : other.MaxSyncDuration,
    };
}
