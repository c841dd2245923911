namespace AioGraphite.Spool;

/// <summary>
/// The copies of damaged record files that recovery keeps for an operator (<c>NAME.spool.corrupt</c>): made once per
/// damaged file, counted against <c>SpoolMaxBytes</c>, deleted oldest first when the spool needs their room.
/// </summary>
internal sealed partial class DestinationSpool
{
    private readonly List<(string Path, long Bytes)> _quarantine = []; // copies of damaged files, oldest first
    private long _quarantinedBytes;

    /// <summary>Bytes of the copies of damaged files kept for an operator (<c>.corrupt</c>); they count against <c>SpoolMaxBytes</c>.</summary>
    public long QuarantinedBytes => Interlocked.Read(ref _quarantinedBytes);

    /// <summary>Called (on the spool writer) with the path and bytes of a copy of a damaged file pruned to make room.</summary>
    public Action<string, long>? QuarantinePruned { get; set; }

    private void AddQuarantined(string path, long bytes)
    {
        _quarantine.Add((path, bytes));
        _quarantine.Sort((a, b) => string.CompareOrdinal(a.Path, b.Path)); // numbered names: oldest first
        Interlocked.Add(ref _quarantinedBytes, bytes);
    }

    /// <summary>
    /// Deletes copies of damaged files, oldest first, until the spool with <paramref name="needed"/> more bytes fits
    /// <c>SpoolMaxBytes</c> (or none is left). Returns what it deleted.
    /// </summary>
    private List<(string Path, long Bytes)> PruneQuarantine(long needed)
    {
        var pruned = new List<(string Path, long Bytes)>();
        while (_quarantine.Count > 0 && Bytes + QuarantinedBytes + needed > _maxBytes)
        {
            (string path, long bytes) = _quarantine[0];
            try
            {
                _fs.Delete(path);
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                break; // it stays, and counts; the spool is full meanwhile
            }

            _quarantine.RemoveAt(0);
            Interlocked.Add(ref _quarantinedBytes, -bytes);
            pruned.Add((path, bytes));
        }

        if (pruned.Count > 0)
        {
            try
            {
                _fs.SyncDirectory(Directory);
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                // A copy whose delete was not durable may come back after a power loss: harmless, it is counted again.
            }
        }

        return pruned;
    }

    /// <summary>
    /// Copies a damaged file to <c>NAME.spool.corrupt</c> for an operator (unless an earlier start already did): written
    /// to a temporary name, synced, renamed, the directory synced. Its valid records are still sent from the original,
    /// which is deleted as usual once they are retired. Returns the copy's path, or <see langword="null"/> with the reason
    /// when it could not be made (a full disk): recovery goes on without it.
    /// </summary>
    private string? KeepAside(SpoolFile file, long length, out string? failure)
    {
        failure = null;
        string target = file.Path + SpoolDirectoryLayout.QuarantineSuffix;
        if (_fs.FileExists(target))
        {
            return target;
        }

        string temporary = target + ".tmp";
        try
        {
            _fs.Delete(temporary);
            using (SpoolFileHandle copy = _fs.Open(temporary, create: true))
            {
                byte[] buffer = new byte[(int)Math.Min(length, 1 << 20)];
                for (long at = 0; at < length;)
                {
                    int read = _fs.Read(file.Handle, buffer.AsSpan(0, (int)Math.Min(buffer.Length, length - at)), at);
                    if (read <= 0)
                    {
                        break;
                    }

                    _fs.Write(copy, buffer.AsSpan(0, read), at);
                    at += read;
                }

                _fs.Sync(copy);
            }

            _fs.Rename(temporary, target, overwrite: false);
            _fs.SyncDirectory(Directory);
            AddQuarantined(target, length);
            return target;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            failure = ex.Message;
            try
            {
                _fs.Delete(temporary);
            }
            catch (Exception again) when (again is IOException or UnauthorizedAccessException)
            {
                // Left for the next start, which deletes it before copying again.
            }

            return null;
        }
    }
}
