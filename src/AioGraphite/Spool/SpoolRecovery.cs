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

    /// <summary>Files copied aside (and cut back to their valid records, which are still sent) because a record in them is corrupt.</summary>
    public int QuarantinedFiles { get; set; }
}
