namespace AioGraphite;

/// <summary>What <see cref="GraphiteSpool.Inspect"/> found in a spool directory: one entry per destination directory.</summary>
public sealed record GraphiteSpoolReport
{
    /// <summary>The directory inspected (full path): a spool directory (<see cref="GraphiteClientOptions.SpoolDirectory"/>) or one destination's directory in it.</summary>
    public required string Directory { get; init; }

    /// <summary>The destination directories, by name.</summary>
    public required IReadOnlyList<GraphiteSpoolDestinationReport> Destinations { get; init; }

    /// <summary>Points waiting in every destination.</summary>
    public long Points => Destinations.Sum(d => d.Points);

    /// <summary>Bytes of the records waiting in every destination.</summary>
    public long Bytes => Destinations.Sum(d => d.Bytes);

    /// <summary>Whether any destination holds damaged or quarantined data (<see cref="GraphiteSpoolDestinationReport.HasDamage"/>).</summary>
    public bool HasDamage => Destinations.Any(d => d.HasDamage);
}
