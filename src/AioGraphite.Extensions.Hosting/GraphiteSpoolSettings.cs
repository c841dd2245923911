namespace AioGraphite.Extensions.Hosting;

/// <summary>
/// Disk spool settings of <see cref="GraphiteOptions"/>, bindable from configuration (<c>Graphite:Spool:*</c>): points
/// survive the application's own restart and outages longer than memory holds. The spool is on only when
/// <see cref="Directory"/> is set; see <see cref="GraphiteClientOptions.SpoolDirectory"/> for what it guarantees.
/// </summary>
/// <example>
/// <code language="json">
/// "Graphite": {
///   "Host": "carbon.example.com",
///   "Spool": {
///     "Directory": "/var/spool/myapp/graphite",
///     "MaxBytes": 2147483648,
///     "SyncInterval": "00:00:00.100",
///     "LockTimeout": "00:00:15"
///   }
/// }
/// </code>
/// </example>
public sealed class GraphiteSpoolSettings
{
    /// <summary><see cref="GraphiteClientOptions.SpoolDirectory"/>: the spool's directory (created owner-only if needed). Default none: memory only.</summary>
    public string? Directory { get; set; }

    /// <summary><see cref="GraphiteClientOptions.SpoolMaxBytes"/>: most bytes on disk per destination. Default 4 GiB; at least 1 MiB.</summary>
    public long MaxBytes { get; set; } = GraphiteClientOptions.Default.SpoolMaxBytes;

    /// <summary><see cref="GraphiteClientOptions.SpoolFileBytes"/>: size at which a spool file is closed and a new one started. Default 64 MiB; at least 64 KiB.</summary>
    public long FileBytes { get; set; } = GraphiteClientOptions.Default.SpoolFileBytes;

    /// <summary>
    /// <see cref="GraphiteClientOptions.SpoolSyncInterval"/>: how often the spool is synced to disk, the most a crash can
    /// lose. Default 100 ms; <c>00:00:00</c> syncs every batch before it is sent.
    /// </summary>
    public TimeSpan SyncInterval { get; set; } = GraphiteClientOptions.Default.SpoolSyncInterval;

    /// <summary>
    /// <see cref="GraphiteClientOptions.SpoolLockTimeout"/>: how long the start-up waits for a spool that another process
    /// holds (the previous instance still closing) before failing. Default 15 seconds; <c>00:00:00</c> fails at once.
    /// </summary>
    public TimeSpan LockTimeout { get; set; } = GraphiteClientOptions.Default.SpoolLockTimeout;

    /// <summary>Whether any spool setting besides <see cref="Directory"/> differs from its default.</summary>
    internal bool AnyChanged =>
        MaxBytes != GraphiteClientOptions.Default.SpoolMaxBytes
        || FileBytes != GraphiteClientOptions.Default.SpoolFileBytes
        || SyncInterval != GraphiteClientOptions.Default.SpoolSyncInterval
        || LockTimeout != GraphiteClientOptions.Default.SpoolLockTimeout;

    /// <summary>The library's name of a spool setting (<c>SpoolMaxBytes</c>) as this section's key (<c>Spool:MaxBytes</c>).</summary>
    /// <param name="clientOption">A <see cref="GraphiteClientOptions"/> property name.</param>
    /// <returns>The key under <c>Graphite</c>, or <see langword="null"/> when it is not a spool setting.</returns>
    internal static string? KeyOf(string clientOption) =>
        clientOption.StartsWith("Spool", StringComparison.Ordinal) && clientOption.Length > "Spool".Length
            ? "Spool:" + clientOption["Spool".Length..]
            : null;
}
