namespace AioGraphite.TestUtilities.Tls;

/// <summary>
/// The lifecycle every TLS terminator of the tests shares (<see cref="StunnelServer"/>, <see cref="CRelayTlsServer"/>):
/// a daemon in a temp directory of its own, started until its ports listen, killed, started again, frozen (SIGSTOP) and
/// resumed, its log read, and on dispose killed with its directory deleted.
/// </summary>
public abstract class TlsTerminator : IAsyncDisposable
{
    private const int SigCont = 18;
    private const int SigStop = 19;
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(30);

    private readonly DaemonProcess daemon;
    private readonly string binary;
    private readonly IReadOnlyList<string> arguments;
    private bool disposed;

    /// <param name="name">What the daemon is, for messages.</param>
    /// <param name="directory">Its temp directory (deleted on dispose).</param>
    /// <param name="binary">The program.</param>
    /// <param name="arguments">Its arguments (it daemonises and writes <paramref name="pidFile"/>).</param>
    /// <param name="pidFile">Its pidfile.</param>
    /// <param name="logPath">Its log.</param>
    private protected TlsTerminator(string name, string directory, string binary, IReadOnlyList<string> arguments, string pidFile, string logPath)
    {
        DataDirectory = directory;
        LogPath = logPath;
        this.binary = binary;
        this.arguments = arguments;
        daemon = new DaemonProcess($"{name} in {directory}", pidFile, logPath, Path.Combine(directory, "start.out"));
    }

    /// <summary>This terminator's temp directory (config, pidfile, log); deleted on dispose.</summary>
    public string DataDirectory { get; }

    /// <summary>The terminator's log.</summary>
    public string LogPath { get; }

    /// <summary>The daemon's pid from its last start.</summary>
    public int Pid => daemon.Pid;

    /// <summary>Whether the daemon is alive.</summary>
    public bool IsRunning => daemon.IsRunning;

    /// <summary>SIGKILL: every connection dies at once, with whatever the terminator holds.</summary>
    /// <returns>Completes when it is gone.</returns>
    public Task KillAsync() => daemon.KillAsync();

    /// <summary>Starts the terminator again on the same ports and configuration.</summary>
    /// <returns>Completes when every port listens.</returns>
    public Task StartAgainAsync()
    {
        ObjectDisposedException.ThrowIf(disposed, this);
        return LaunchAsync();
    }

    /// <summary>SIGSTOP: the terminator stops reading (its kernel still accepts and acknowledges until the buffers are full).</summary>
    public void Freeze()
    {
        if (!Posix.Signal(daemon.Pid, SigStop))
        {
            throw new InvalidOperationException($"{daemon.Name} (pid {daemon.Pid}) is not running: cannot freeze it");
        }
    }

    /// <summary>SIGCONT after <see cref="Freeze"/>.</summary>
    public void Resume() => Posix.Signal(daemon.Pid, SigCont);

    /// <summary>The terminator's log, or "" when missing.</summary>
    /// <returns>The log text.</returns>
    public string ReadLog()
    {
        try
        {
            return ProcessRunner.ReadShared(LogPath);
        }
        catch (IOException)
        {
            return string.Empty;
        }
    }

    /// <summary>Kills the terminator and deletes its directory (unless <c>AIOGRAPHITE_KEEP_TEST_DIRS=1</c>).</summary>
    /// <returns>Completes when done.</returns>
    public async ValueTask DisposeAsync()
    {
        if (disposed)
        {
            return;
        }

        disposed = true;
        await daemon.KillAsync().ConfigureAwait(false);
        TestDirectory.Delete(DataDirectory);
        GC.SuppressFinalize(this);
    }

    /// <summary>Starts the daemon and waits until every port listens.</summary>
    /// <returns>Completes when it listens.</returns>
    private protected Task LaunchAsync() => daemon.StartAsync(binary, arguments, NotListening, StartTimeout);

    /// <summary>The ports (as text for the error) that do not listen yet.</summary>
    /// <returns>An empty list once every port listens.</returns>
    private protected abstract List<string> NotListening();
}
