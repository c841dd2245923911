namespace AioGraphite.Spool;

/// <summary>
/// At start: the destination directories of a spool that none of the client's destinations uses and that hold records
/// (left for a destination no longer configured: a host, port, protocol or transport changed) are found, so that the
/// client logs them (one warning each, <c>SpoolOrphaned</c>) instead of leaving them unseen. They are only read, never locked or
/// changed: another process may be using that destination.
/// </summary>
internal static class SpoolOrphans
{
    /// <summary>Every orphaned destination directory of <paramref name="root"/> that holds records; never throws on I/O.</summary>
    public static List<GraphiteSpoolDestinationReport> Find(string root, IEnumerable<string> usedDirectories)
    {
        var orphans = new List<GraphiteSpoolDestinationReport>();
        var used = new HashSet<string>(usedDirectories.Select(Path.GetFullPath), StringComparer.Ordinal);
        IEnumerable<string> directories;
        try
        {
            directories = Directory.EnumerateDirectories(root).Select(Path.GetFullPath).Where(d => !used.Contains(d)).Order(StringComparer.Ordinal).ToList();
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return orphans;
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
                    orphans.Add(report);
                }
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                // Unreadable (another user's, or going away): nothing to report from here.
            }
        }

        return orphans;
    }
}
