using System.Globalization;
using AioGraphite.Diagnostics;
using Microsoft.Extensions.Logging;

namespace AioGraphite.Spool;

/// <summary>
/// At start: the destination directories of a spool that none of the client's destinations uses and that hold records
/// (left for a destination no longer configured: a host, port, protocol or transport changed) are logged, one warning
/// each (<see cref="GraphiteLog.SpoolOrphaned"/>), instead of sitting unseen. They are only read, never locked or
/// changed: another process may be using that destination.
/// </summary>
internal static class SpoolOrphans
{
    /// <summary>Logs every orphaned destination directory of <paramref name="root"/> that holds records; never throws on I/O.</summary>
    public static void Report(string root, IEnumerable<string> usedDirectories, ILogger log)
    {
        var used = new HashSet<string>(usedDirectories.Select(Path.GetFullPath), StringComparer.Ordinal);
        IEnumerable<string> directories;
        try
        {
            directories = Directory.EnumerateDirectories(root).Select(Path.GetFullPath).Where(d => !used.Contains(d)).Order(StringComparer.Ordinal).ToList();
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return;
        }

        foreach (string directory in directories)
        {
            try
            {
                if (!SpoolInspector.IsDestinationDirectory(directory))
                {
                    continue;
                }

                GraphiteSpoolDestinationReport report = SpoolInspector.Inspect(directory, verify: false, probeLock: false);
                if (report.Points > 0)
                {
                    string oldest = report.OldestTimestamp is { } t ? t.ToString("yyyy-MM-dd HH:mm:ss 'UTC'", CultureInfo.InvariantCulture) : "unknown";
                    string identity = report.Identity is null ? "an unknown destination" : report.IdentityInferred ? $"{report.Identity} (from its name)" : report.Identity.ToString();
                    GraphiteLog.SpoolOrphaned(log, directory, report.Points, report.Bytes, oldest, identity);
                }
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                // Unreadable (another user's, or going away): nothing to report from here.
            }
        }
    }
}
