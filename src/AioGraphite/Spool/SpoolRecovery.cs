namespace AioGraphite.Spool;

/// <summary>What opening a spool found: the records still to send, and what it had to mend.</summary>
internal sealed class SpoolRecovery
{
    /// <summary>Records not yet retired, oldest first.</summary>
    public List<SpoolLocation> Records { get; } = [];

    /// <summary>Points in <see cref="Records"/>.</summary>
    public long Points { get; set; }

    /// <summary>The highest sequence seen on disk (retired records included): new segments continue after it.</summary>
    public long HighestSequence { get; set; }

    /// <summary>Incomplete records cut off the end of the last file (a crash during an append).</summary>
    public int TornTails { get; set; }

    /// <summary>Damaged files copied aside (<c>.corrupt</c>) at this start; their valid records, before and after the damage, are still sent.</summary>
    public int QuarantinedFiles => Damaged.Count(d => d.KeptAs is not null);

    /// <summary>Files with damage that may have held unsent points (valid records follow it, or it ends a file that is not the last).</summary>
    public List<SpoolFileDamage> Damaged { get; } = [];

    /// <summary>Records lost to damage (as far as their headers tell).</summary>
    public long DamagedRecords => Damaged.Sum(d => d.Records);

    /// <summary>Bytes of damage skipped.</summary>
    public long DamagedBytes => Damaged.Sum(d => d.Bytes);

    /// <summary>Points of the damaged records whose headers survived.</summary>
    public long DamagedPoints => Damaged.Sum(d => d.Points);

    /// <summary>Copies of damaged files deleted, oldest first, to keep the spool within <c>SpoolMaxBytes</c>: path and bytes.</summary>
    public List<(string Path, long Bytes)> PrunedQuarantine { get; } = [];
}
