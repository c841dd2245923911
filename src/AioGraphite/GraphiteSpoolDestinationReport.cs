namespace AioGraphite;

/// <summary>What <see cref="GraphiteSpool.Inspect"/> found in one destination's spool directory.</summary>
public sealed record GraphiteSpoolDestinationReport
{
    /// <summary>The destination's spool directory (full path).</summary>
    public required string Directory { get; init; }

    /// <summary>
    /// The destination its records are for: its <c>identity</c> file, or, without a valid one (a spool written before
    /// identity files existed), what its name says (<see cref="IdentityInferred"/>); <see langword="null"/> when neither
    /// tells (not a directory the spool made).
    /// </summary>
    public GraphiteSpoolIdentity? Identity { get; init; }

    /// <summary>Whether <see cref="Identity"/> was read from the directory's name because it has no valid <c>identity</c> file (host characters other than letters, digits, '.' and '-' read as '_').</summary>
    public bool IdentityInferred { get; init; }

    /// <summary>
    /// Whether the directory's name is not the one its <see cref="Identity"/> gives (it was renamed, moved or copied here by
    /// hand): no client for that destination opens it, so its records are not sent until it is renamed to
    /// <see cref="ExpectedName"/>.
    /// </summary>
    public bool Foreign => ExpectedName is not null && ExpectedName != System.IO.Path.GetFileName(Directory);

    /// <summary>The directory name a client for <see cref="Identity"/> uses (<c>host_tcp_port_protocol</c>), or <see langword="null"/> without an identity.</summary>
    public string? ExpectedName { get; init; }

    /// <summary>Points waiting to be sent: in valid records after the checkpoint.</summary>
    public long Points { get; init; }

    /// <summary>Valid records waiting to be sent.</summary>
    public long Records { get; init; }

    /// <summary>Bytes of the records waiting (headers included).</summary>
    public long Bytes { get; init; }

    /// <summary>Record files (<c>*.spool</c>), quarantined ones excluded.</summary>
    public int Files { get; init; }

    /// <summary>Bytes of the record files (retired records and damage included).</summary>
    public long FileBytes { get; init; }

    /// <summary>Timestamp of the oldest point waiting, or <see langword="null"/> when none waits (or none could be read).</summary>
    public DateTimeOffset? OldestTimestamp { get; init; }

    /// <summary>Timestamp of the newest point waiting, or <see langword="null"/> when none waits (or none could be read).</summary>
    public DateTimeOffset? NewestTimestamp { get; init; }

    /// <summary>Damaged ranges, torn tails and quarantined files, in file order.</summary>
    public IReadOnlyList<GraphiteSpoolDamage> Damage { get; init; } = [];

    /// <summary>Whether <see cref="Damage"/> holds anything but a torn tail (which a client cuts off without loss: it was never synced).</summary>
    public bool HasDamage => Damage.Any(d => d.Kind != GraphiteSpoolDamage.TornTail);

    /// <summary>The <c>holder</c> note (process, machine, since when) of the client that holds or last held the spool, or <see langword="null"/>.</summary>
    public string? LockHolder { get; init; }

    /// <summary>Whether a process holds the spool's lock now (<see langword="null"/>: not checked, or could not be told).</summary>
    public bool? IsLocked { get; init; }
}
