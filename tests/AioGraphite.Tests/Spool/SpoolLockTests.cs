using System.Diagnostics;
using System.Runtime.Versioning;
using AioGraphite.Spool;
using AioGraphite.Tests.Support;
using Microsoft.Extensions.Logging;
using Xunit;

namespace AioGraphite.Tests.Spool;

/// <summary>
/// Issue 16, items 4 and 5 on a real file system: unsafe directories are refused with the fix, spool files are never
/// opened through a symbolic link (the link's target is not touched), and a busy spool is waited for up to the lock
/// timeout, then refused naming the holder and the wait. (Many processes racing for one spool: the integration tests'
/// <c>SpoolLockRaceTests</c>.)
/// </summary>
[UnsupportedOSPlatform("windows")]
public sealed class SpoolLockTests : IDisposable
{
    private const string Host = "carbon.example";
    private readonly string _root = Directory.CreateDirectory(Path.Combine(Path.GetTempPath(), $"aiographite-spool-lock-{Guid.NewGuid():N}")).FullName;
    private readonly string _elsewhere = Directory.CreateDirectory(Path.Combine(Path.GetTempPath(), $"aiographite-spool-victim-{Guid.NewGuid():N}")).FullName;

    private string Destination => SpoolDirectoryLayout.ForDestination(_root, Host, 2003, SpoolFormat.Plaintext);

    public void Dispose()
    {
        File.SetUnixFileMode(_root, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        Directory.Delete(_root, recursive: true);
        Directory.Delete(_elsewhere, recursive: true);
    }

    private DestinationSpool Open(TimeSpan lockTimeout = default, Action<string>? waiting = null) =>
        DestinationSpool.Open(_root, Host, 2003, SpoolFormat.Plaintext, 1L << 30, 64 << 10, out _, lockTimeout: lockTimeout, waiting: waiting);

    [Fact]
    public void LockFileReplacedByASymbolicLink_IsRefused_AndItsTargetIsNeitherCreatedNorTouched()
    {
        Directory.CreateDirectory(Destination, SpoolDirectoryLayout.DirectoryMode);
        string target = Path.Combine(_elsewhere, "victim");
        string lockPath = Path.Combine(Destination, SpoolDirectoryLayout.LockName);
        File.CreateSymbolicLink(lockPath, target);

        GraphiteException ex = Assert.Throws<GraphiteException>(() => Open());
        Assert.Contains($"'{lockPath}' is a symbolic link (to '{target}')", ex.Message, StringComparison.Ordinal);
        Assert.Contains($"rm '{lockPath}'", ex.Message, StringComparison.Ordinal);
        Assert.DoesNotContain('\n', ex.Message);
        Assert.False(File.Exists(target), "the link's target was created");

        // An existing target is not opened, locked or changed either.
        File.WriteAllText(target, "precious");
        Assert.Throws<GraphiteException>(() => Open());
        Assert.Equal("precious", File.ReadAllText(target));
    }

    [Fact]
    public void RecordFileThatIsASymbolicLink_IsNotOpened_AndItsTargetIsLeftAlone()
    {
        Directory.CreateDirectory(Destination, SpoolDirectoryLayout.DirectoryMode);
        string target = Path.Combine(_elsewhere, "victim");
        File.WriteAllText(target, "not a spool record, and recovery must not cut it as a torn tail");
        string record = Path.Combine(Destination, SpoolFile.NameFor(1));
        File.CreateSymbolicLink(record, target);

        GraphiteException ex = Assert.Throws<GraphiteException>(() => Open());
        Assert.Contains($"'{record}' is a symbolic link", ex.Message, StringComparison.Ordinal);
        Assert.Equal("not a spool record, and recovery must not cut it as a torn tail", File.ReadAllText(target));
    }

    [Fact]
    public void CheckpointThatIsASymbolicLink_IsNotRead()
    {
        Directory.CreateDirectory(Destination, SpoolDirectoryLayout.DirectoryMode);
        string checkpoint = Path.Combine(Destination, SpoolDirectoryLayout.CheckpointName);
        File.CreateSymbolicLink(checkpoint, Path.Combine(_elsewhere, "secret"));
        File.WriteAllText(Path.Combine(_elsewhere, "secret"), "0123456789abcdef");

        GraphiteException ex = Assert.Throws<GraphiteException>(() => Open());
        Assert.Contains($"'{checkpoint}' is a symbolic link", ex.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(UnixFileMode.GroupWrite)]
    [InlineData(UnixFileMode.OtherWrite)]
    [InlineData(UnixFileMode.GroupWrite | UnixFileMode.GroupRead | UnixFileMode.GroupExecute | UnixFileMode.OtherRead | UnixFileMode.OtherWrite | UnixFileMode.OtherExecute)]
    public void RootWritableByGroupOrOthers_IsRefused_SayingHowToFixIt(UnixFileMode extra)
    {
        File.SetUnixFileMode(_root, SpoolDirectoryLayout.DirectoryMode | extra);

        GraphiteException ex = Assert.Throws<GraphiteException>(() => Open());
        Assert.Contains($"'{_root}' is writable by group or others", ex.Message, StringComparison.Ordinal);
        Assert.Contains($"chmod 700 {_root}", ex.Message, StringComparison.Ordinal);
        Assert.DoesNotContain('\n', ex.Message);
        Assert.False(Directory.Exists(Destination), "nothing is created in an unsafe directory");

        File.SetUnixFileMode(_root, SpoolDirectoryLayout.DirectoryMode); // fixed as told: it opens
        Open().Dispose();
    }

    [Fact]
    public void DestinationDirectoryWritableByOthers_IsRefused()
    {
        Directory.CreateDirectory(Destination, SpoolDirectoryLayout.DirectoryMode);
        File.SetUnixFileMode(Destination, SpoolDirectoryLayout.DirectoryMode | UnixFileMode.OtherWrite | UnixFileMode.OtherExecute);

        GraphiteException ex = Assert.Throws<GraphiteException>(() => Open());
        Assert.Contains($"'{Destination}' is writable by group or others (mode 0703)", ex.Message, StringComparison.Ordinal);
        Assert.Contains($"chmod 700 {Destination}", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void DestinationDirectoryThatIsASymbolicLink_IsRefused()
    {
        Directory.CreateSymbolicLink(Destination, _elsewhere);

        GraphiteException ex = Assert.Throws<GraphiteException>(() => Open());
        Assert.Contains($"'{Destination}' is a symbolic link", ex.Message, StringComparison.Ordinal);
        Assert.Empty(Directory.GetFileSystemEntries(_elsewhere));
    }

    [Fact]
    public void DirectoryOwnedByAnotherUser_IsRefused_SayingChown()
    {
        uint self = SpoolNative.EffectiveUserId;
        if (self != 0)
        {
            // Not root (a developer's machine): /usr is root's, and is refused before anything is created in it.
            GraphiteException notOurs = Assert.Throws<GraphiteException>(() => DestinationSpool.Open("/usr", Host, 2003, SpoolFormat.Plaintext, 1L << 30, 64 << 10, out _));
            Assert.Contains($"'/usr' is owned by uid 0, not by this process's user (uid {self})", notOurs.Message, StringComparison.Ordinal);
            return;
        }

        // Root (as the test runs here, for the network namespaces): give the directory to 'nobody'.
        Directory.CreateDirectory(Destination, SpoolDirectoryLayout.DirectoryMode);
        using (Process chown = Process.Start("chown", ["65534", Destination]))
        {
            chown.WaitForExit();
            Assert.Equal(0, chown.ExitCode);
        }

        GraphiteException ex = Assert.Throws<GraphiteException>(() => Open());
        Assert.Contains($"'{Destination}' is owned by uid 65534, not by this process's user (uid 0)", ex.Message, StringComparison.Ordinal);
        Assert.Contains($"chown 0 {Destination}", ex.Message, StringComparison.Ordinal);
        Assert.DoesNotContain('\n', ex.Message);
    }

    [Fact]
    public async Task BusySpool_IsWaitedFor_AndOpensOnceTheHolderCloses()
    {
        DestinationSpool first = Open();
        string? told = null;
        var clock = Stopwatch.StartNew();
        Task<DestinationSpool> second = Task.Run(() => Open(TimeSpan.FromSeconds(30), holder => told = holder), TestContext.Current.CancellationToken);
        await Task.Delay(400, TestContext.Current.CancellationToken);
        Assert.False(second.IsCompleted, "the second open did not wait for the holder");
        first.Dispose();

        using DestinationSpool opened = await second;
        Assert.InRange(clock.Elapsed, TimeSpan.FromMilliseconds(400), TimeSpan.FromSeconds(10));
        Assert.StartsWith($"process {Environment.ProcessId} ", told, StringComparison.Ordinal);
        Assert.True(File.Exists(Path.Combine(opened.Directory, SpoolDirectoryLayout.LockName)));
    }

    [Fact]
    public void BusySpool_AfterTheLockTimeout_IsRefusedNamingTheHolderAndTheWait()
    {
        using DestinationSpool first = Open();
        var clock = Stopwatch.StartNew();
        GraphiteException ex = Assert.Throws<GraphiteException>(() => Open(TimeSpan.FromMilliseconds(300)));
        Assert.InRange(clock.Elapsed, TimeSpan.FromMilliseconds(300), TimeSpan.FromSeconds(5));
        Assert.Contains($"'{first.Directory}' is in use by process {Environment.ProcessId} ", ex.Message, StringComparison.Ordinal);
        Assert.Contains("not released within 0.3 s of waiting", ex.Message, StringComparison.Ordinal);
        Assert.DoesNotContain('\n', ex.Message);
    }

    [Fact]
    public async Task Create_OnABusySpool_LogsOnceThatItWaits_NamingTheHolder_ThenOpensIt()
    {
        using var logs = new ListLoggerFactory();
        var options = new GraphiteClientOptions
        {
            SpoolDirectory = _root,
            SpoolLockTimeout = TimeSpan.FromSeconds(30),
            DrainTimeout = TimeSpan.Zero,
            LoggerFactory = logs,
        };
        DestinationSpool holder = DestinationSpool.Open(_root, "127.0.0.1_tcp", 9, SpoolFormat.Plaintext, 1L << 30, 64 << 10, out _);
        Task release = Task.Run(
            async () =>
            {
                await Task.Delay(500, TestContext.Current.CancellationToken);
                holder.Dispose();
            },
            TestContext.Current.CancellationToken);

        GraphiteClient client = GraphiteClient.Create("127.0.0.1", 9, options: options); // blocks until released
        await using (client)
        {
            Assert.True(release.IsCompleted, "Create returned while the spool was still held");
            await release;
        }

        (EventId id, LogLevel level, string message) = Assert.Single(logs.Entries, e => e.Id.Name == "SpoolLockWaiting");
        Assert.Equal(26, id.Id);
        Assert.Equal(LogLevel.Warning, level);
        Assert.Contains($"is in use by process {Environment.ProcessId} ", message, StringComparison.Ordinal);
        Assert.Contains("waiting up to 30000 ms", message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ConnectAsync_WaitsForABusySpoolWithoutBlocking_ThenOpensIt()
    {
        var options = new GraphiteClientOptions
        {
            SpoolDirectory = _root,
            SpoolLockTimeout = TimeSpan.FromSeconds(30),
            LazyConnect = true,
            DrainTimeout = TimeSpan.Zero,
        };
        string directory = SpoolDirectoryLayout.ForDestination(_root, "127.0.0.1_tcp", 9, SpoolFormat.Plaintext);
        DestinationSpool holder = DestinationSpool.Open(_root, "127.0.0.1_tcp", 9, SpoolFormat.Plaintext, 1L << 30, 64 << 10, out _);
        Task<GraphiteClient> connecting = GraphiteClient.ConnectAsync("127.0.0.1", 9, options: options, cancellationToken: TestContext.Current.CancellationToken);
        Assert.False(connecting.IsCompleted, "ConnectAsync returned (or blocked its caller) instead of waiting asynchronously");
        await Task.Delay(300, TestContext.Current.CancellationToken);
        Assert.False(connecting.IsCompleted);
        holder.Dispose();

        GraphiteClient client = await connecting;
        await using (client)
        {
            Assert.True(File.Exists(Path.Combine(directory, SpoolDirectoryLayout.LockName)));
        }
    }
}
