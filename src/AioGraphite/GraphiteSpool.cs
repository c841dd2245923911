using System.Globalization;
using AioGraphite.Spool;

namespace AioGraphite;

/// <summary>Looks into a disk spool (<see cref="GraphiteClientOptions.SpoolDirectory"/>) without changing it: what waits, for which destination, and what is damaged.</summary>
public static class GraphiteSpool
{
    /// <summary>
    /// Reads every record of every destination in <paramref name="directory"/> and reports, per destination directory,
    /// its identity, the points, records and bytes waiting (valid records after the checkpoint), the oldest and newest
    /// timestamp among them, damaged, torn and quarantined data, and the lock's holder. Read-only: it never creates,
    /// writes, cuts, renames or deletes anything, and works while a client holds the spool (it only tests the lock,
    /// holding it for the moment of the test when it is free).
    /// </summary>
    /// <param name="directory">A spool directory (what <see cref="GraphiteClientOptions.SpoolDirectory"/> names) or one destination's directory in it.</param>
    /// <param name="verify">
    /// Also parse every record's payload (retired ones too) and check that it holds the points its header says; a record
    /// that fails is reported as <see cref="GraphiteSpoolDamage.Damaged"/>. Without it only the payloads waiting are
    /// parsed, for their timestamps. The records' checksums and sequence order are checked either way.
    /// </param>
    /// <returns>The report.</returns>
    /// <exception cref="GraphiteException">The directory does not exist or cannot be read (the message names it and the reason).</exception>
    public static GraphiteSpoolReport Inspect(string directory, bool verify = false)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(directory);
        string full = Path.GetFullPath(directory);
        try
        {
            if (!Directory.Exists(full))
            {
                throw new GraphiteException($"The spool directory '{full}' does not exist: give the directory a client was configured with (SpoolDirectory, --spool DIR) or one destination's directory in it.");
            }

            List<GraphiteSpoolDestinationReport> destinations = [];
            if (SpoolInspector.IsDestinationDirectory(full))
            {
                destinations.Add(SpoolInspector.Inspect(full, verify, probeLock: true));
            }
            else
            {
                foreach (string sub in Directory.EnumerateDirectories(full).Order(StringComparer.Ordinal))
                {
                    if (SpoolInspector.IsDestinationDirectory(sub))
                    {
                        destinations.Add(SpoolInspector.Inspect(sub, verify, probeLock: true));
                    }
                }
            }

            return new GraphiteSpoolReport { Directory = full, Destinations = destinations };
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new GraphiteException(string.Create(CultureInfo.InvariantCulture, $"Cannot read the spool directory '{full}': {ex.Message} Run as the user that owns it (spools are owner-only)."), ex);
        }
    }
}
