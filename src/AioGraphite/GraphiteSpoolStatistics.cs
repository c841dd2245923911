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

    /// <summary>Corrupt files set aside at start-up (a copy, <c>.corrupt</c>; the file is cut back to its valid records).</summary>
    public long QuarantinedFiles { get; init; }

    /// <summary>
    /// Points written to the spool whose sync (<c>fsync</c>) then failed: the disk may have dropped them, so they are not
    /// counted in <see cref="PointsSpooled"/> and no later sync vouches for them (their file takes no more appends). They
    /// are still sent, from memory or read back while this client runs; a crash before carbon has them loses them.
    /// </summary>
    public long PointsNotDurable { get; init; }

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
        PointsNotDurable = PointsNotDurable + other.PointsNotDurable,
        Errors = Errors + other.Errors,
        Syncs = Syncs + other.Syncs,
        MaxSyncDuration = MaxSyncDuration > other.MaxSyncDuration ? MaxSyncDuration : other.MaxSyncDuration,
    };
}
