namespace AioGraphite.Spool;

/// <summary>
/// The real disk for looking only (<see cref="GraphiteSpool.Inspect"/>, the start-up report of orphaned spools): files
/// are opened for reading, and every operation that would create, change, rename or delete anything throws, so an
/// inspection cannot disturb a spool a client is using.
/// </summary>
internal sealed class ReadOnlySpoolFileSystem : SpoolFileSystem
{
    /// <summary>The one instance.</summary>
    public static readonly ReadOnlySpoolFileSystem Instance = new();

    private ReadOnlySpoolFileSystem()
    {
    }

    /// <inheritdoc/>
    public override SpoolFileHandle Open(string path, bool create) => create
        ? throw Refused(path)
        : new SpoolFileHandle(File.OpenHandle(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete), path);

    /// <inheritdoc/>
    public override void Write(SpoolFileHandle file, IReadOnlyList<ReadOnlyMemory<byte>> buffers, long offset) => throw Refused(file.Path);

    /// <inheritdoc/>
    public override void Write(SpoolFileHandle file, ReadOnlySpan<byte> bytes, long offset) => throw Refused(file.Path);

    /// <inheritdoc/>
    public override void SetLength(SpoolFileHandle file, long length) => throw Refused(file.Path);

    /// <inheritdoc/>
    public override void Sync(SpoolFileHandle file) => throw Refused(file.Path);

    /// <inheritdoc/>
    public override void SyncDirectory(string directory) => throw Refused(directory);

    /// <inheritdoc/>
    public override void Rename(string from, string to, bool overwrite) => throw Refused(from);

    /// <inheritdoc/>
    public override void Delete(string path) => throw Refused(path);

    /// <inheritdoc/>
    public override IDisposable LockDirectory(string root, string directory, TimeSpan timeout, Action<string>? waiting) => throw Refused(directory);

    private static InvalidOperationException Refused(string path) => new($"'{path}' is being inspected read-only: nothing may be changed.");
}
