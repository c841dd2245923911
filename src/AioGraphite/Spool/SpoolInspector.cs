using System.Globalization;

namespace AioGraphite.Spool;

/// <summary>
/// Reads one destination's spool directory without changing it (<see cref="ReadOnlySpoolFileSystem"/>): its identity, the
/// records waiting after the checkpoint, their timestamps, damage (<see cref="SpoolScanner"/>) and the lock.
/// </summary>
internal static class SpoolInspector
{
    /// <summary>Whether <paramref name="directory"/> is one destination's spool directory: it holds spool files, or its name is one the spool makes.</summary>
    public static bool IsDestinationDirectory(string directory)
    {
        if (SpoolIdentityFile.FromDirectoryName(Path.GetFileName(directory)) is not null)
        {
            return true;
        }

        foreach (string path in Directory.EnumerateFiles(directory))
        {
            string name = Path.GetFileName(path);
            if (name is SpoolIdentityFile.Name or SpoolDirectoryLayout.CheckpointName or SpoolDirectoryLayout.LockName
                || name.EndsWith(SpoolDirectoryLayout.FileExtension, StringComparison.Ordinal)
                || name.EndsWith(SpoolDirectoryLayout.FileExtension + SpoolDirectoryLayout.QuarantineSuffix, StringComparison.Ordinal))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>Inspects one destination directory; <paramref name="probeLock"/> tests whether a process holds its lock (taking it for an instant when free).</summary>
    public static GraphiteSpoolDestinationReport Inspect(string directory, bool verify, bool probeLock)
    {
        SpoolFileSystem fs = ReadOnlySpoolFileSystem.Instance;
        bool inferred = SpoolIdentityFile.Read(fs, directory, out GraphiteSpoolIdentity? identity) != SpoolIdentityFile.State.Valid;
        if (inferred)
        {
            identity = SpoolIdentityFile.FromDirectoryName(Path.GetFileName(directory));
        }

        SpoolFormat? format = identity is null ? null : identity.Protocol == GraphiteSpoolIdentity.Pickle ? SpoolFormat.Pickle : SpoolFormat.Plaintext;
        long retired = Math.Max(0, SpoolCheckpoint.Read(fs, directory));
        var numbered = new List<(long Number, string Name)>();
        var damage = new List<GraphiteSpoolDamage>();
        foreach (string name in fs.ListFiles(directory).Order(StringComparer.Ordinal))
        {
            if (name.EndsWith(SpoolDirectoryLayout.FileExtension, StringComparison.Ordinal)
                && long.TryParse(Path.GetFileNameWithoutExtension(name), NumberStyles.None, CultureInfo.InvariantCulture, out long number))
            {
                numbered.Add((number, name));
            }
            else if (name.EndsWith(SpoolDirectoryLayout.QuarantineSuffix, StringComparison.Ordinal)
                && new FileInfo(Path.Combine(directory, name)) is { Exists: true } copy)
            {
                long length = copy.Length;
                damage.Add(new GraphiteSpoolDamage(name, GraphiteSpoolDamage.Quarantined, 0, length, 0, null, "a copy of a damaged file, kept by a client for an operator"));
            }
        }

        numbered.Sort();
        var tally = new Tally(verify);
        long previous = 0;
        long fileBytes = 0;
        for (int i = 0; i < numbered.Count; i++)
        {
            string path = Path.Combine(directory, numbered[i].Name);
            SpoolScan scan;
            SpoolFileHandle handle;
            try
            {
                handle = fs.Open(path, create: false);
            }
            catch (FileNotFoundException)
            {
                continue; // retired and deleted by the client that holds the spool since it was listed
            }

            using (handle)
            {
                scan = SpoolScanner.Scan(fs, handle, path, previous, format, lastFile: i == numbered.Count - 1);
                fileBytes += scan.Length;
                foreach (ScannedRecord record in scan.Records)
                {
                    tally.Add(fs, handle, record, retired, numbered[i].Name, damage);
                }
            }

            foreach (SpoolDamage range in scan.Damage)
            {
                damage.Add(ToPublic(numbered[i].Name, GraphiteSpoolDamage.Damaged, range));
            }

            if (scan.TornTail is { } tail)
            {
                damage.Add(ToPublic(numbered[i].Name, GraphiteSpoolDamage.TornTail, tail));
            }

            previous = scan.LastSequence;
        }

        string? holder = fs.ReadSmallFile(Path.Combine(directory, SpoolDirectoryLayout.HolderName), 4096) is { } note
            ? System.Text.Encoding.UTF8.GetString(note).Trim()
            : null;
        return new GraphiteSpoolDestinationReport
        {
            Directory = directory,
            Identity = identity,
            IdentityInferred = inferred && identity is not null,
            ExpectedName = identity is null ? null : Path.GetFileName(SpoolDirectoryLayout.ForIdentity(directory, identity)),
            Points = tally.Points,
            Records = tally.Records,
            Bytes = tally.Bytes,
            Files = numbered.Count,
            FileBytes = fileBytes,
            OldestTimestamp = Time(tally.Oldest),
            NewestTimestamp = Time(tally.Newest),
            Damage = [.. damage.OrderBy(d => d.File, StringComparer.Ordinal).ThenBy(d => d.Offset)],
            LockHolder = holder,
            IsLocked = probeLock ? IsLocked(directory) : null,
        };
    }

    private static GraphiteSpoolDamage ToPublic(string file, string kind, SpoolDamage range) =>
        new(file, kind, range.Offset, range.Length, range.Records, range.PointsKnown ? range.Points : null, range.Reason);

    private static DateTimeOffset? Time(long seconds) =>
        seconds is >= -62_135_596_800 and <= 253_402_300_799 ? DateTimeOffset.FromUnixTimeSeconds(seconds) : null;

    /// <summary>
    /// Whether a process holds the lock: an exclusive <c>flock</c> of the lock file without waiting, released at once
    /// when it succeeds. Never creates the lock file, and never opens it through a symbolic link; <see langword="null"/>
    /// when it cannot be told.
    /// </summary>
    private static bool? IsLocked(string directory)
    {
        var path = Path.Combine(directory, SpoolDirectoryLayout.LockName);
        var info = new FileInfo(path);
        if (!info.Exists)
        {
            return false;
        }

        if (info.LinkTarget is not null)
        {
            return null;
        }

        try
        {
            using var probe = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.None);
            return false;
        }
        catch (FileNotFoundException)
        {
            return false; // released and removed meanwhile
        }
        catch (IOException)
        {
            return true;
        }
        catch (UnauthorizedAccessException)
        {
            return null;
        }
    }

    /// <summary>Counts the records waiting and reads their timestamps; with verify, checks every payload.</summary>
    private sealed class Tally(bool verify)
    {
        private byte[] _payload = [];

        public long Points { get; private set; }

        public long Records { get; private set; }

        public long Bytes { get; private set; }

        public long Oldest { get; private set; } = long.MaxValue;

        public long Newest { get; private set; } = long.MinValue;

        public void Add(SpoolFileSystem fs, SpoolFileHandle handle, ScannedRecord record, long retired, string file, List<GraphiteSpoolDamage> damage)
        {
            bool waiting = record.Sequence > retired;
            if (waiting)
            {
                Points += record.Points;
                Records++;
                Bytes += record.Bytes;
            }

            if (!waiting && !verify)
            {
                return;
            }

            if (_payload.Length < record.PayloadLength)
            {
                _payload = new byte[record.PayloadLength];
            }

            Span<byte> payload = _payload.AsSpan(0, record.PayloadLength);
            long oldest = Oldest, newest = Newest;
            bool parsed = fs.Read(handle, payload, record.Offset + SpoolRecord.HeaderBytes) == payload.Length
                && SpoolPayload.TryReadTimestamps(payload, record.Format, ref oldest, ref newest, out int points)
                && points == record.Points;
            if (waiting)
            {
                (Oldest, Newest) = (oldest, newest);
            }

            if (verify && !parsed)
            {
                damage.Add(new GraphiteSpoolDamage(file, GraphiteSpoolDamage.Damaged, record.Offset, record.Bytes, 1, record.Points, string.Create(CultureInfo.InvariantCulture, $"record {record.Sequence} passes its checksum but its payload is not {record.Points} point(s) of {record.Format} as the spool writes them")));
            }
        }
    }
}
