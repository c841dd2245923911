using System.Globalization;

namespace AioGraphite.TestUtilities;

/// <summary>
/// A real, throw-away graphite-web (Debian's graphite-web, Django's own server) on a free loopback port,
/// reading a <see cref="CarbonCacheServer"/>'s whisper files and asking its cache-query port for points not yet
/// on disk: what users see of the data. Started and stopped with the repository's <c>scripts/graphite-web.sh</c>.
/// </summary>
/// <remarks>
/// A series carbon has just created is invisible until its .wsp file exists (up to about a second): poll.
/// Layout of <see cref="DataDirectory"/>: <c>conf/</c> (the settings module), <c>storage/</c> (sqlite db, index),
/// <c>log/</c> (migrate.out, runserver.out, graphite-web's own logs), <c>run/</c> (pidfile).
/// </remarks>
public sealed class GraphiteWebServer : IAsyncDisposable
{
    private static readonly TimeSpan ScriptTimeout = TimeSpan.FromSeconds(120);
    private readonly string script;
    private bool disposed;

    private GraphiteWebServer(string script, string directory, int port)
    {
        this.script = script;
        DataDirectory = directory;
        Port = port;
        BaseAddress = new Uri($"http://127.0.0.1:{port.ToString(CultureInfo.InvariantCulture)}/");
    }

    /// <summary>The HTTP port on 127.0.0.1.</summary>
    public int Port { get; }

    /// <summary><c>http://127.0.0.1:PORT/</c>.</summary>
    public Uri BaseAddress { get; }

    /// <summary>The server's pid.</summary>
    public int Pid { get; private set; }

    /// <summary>This server's own temp directory; deleted on dispose (kept with <c>AIOGRAPHITE_KEEP_TEST_DIRS=1</c>).</summary>
    public string DataDirectory { get; }

    /// <summary>Django's server output (requests and tracebacks).</summary>
    public string ServerLog => Path.Combine(DataDirectory, "log", "runserver.out");

    /// <summary>Starts graphite-web over <paramref name="carbon"/>'s whisper directory and cache-query port.</summary>
    /// <param name="carbon">The carbon-cache whose data is served.</param>
    /// <returns>The running server, warmed up (one /render answered); dispose it.</returns>
    /// <exception cref="InvalidOperationException">graphite-web is not installed and cannot be, or it did not start (the message has the script's output).</exception>
    public static Task<GraphiteWebServer> StartAsync(CarbonCacheServer carbon)
    {
        ArgumentNullException.ThrowIfNull(carbon);
        return StartAsync(carbon.WhisperDirectory, carbon.CacheQueryPort);
    }

    /// <summary>Starts graphite-web over a whisper directory.</summary>
    /// <param name="whisperDirectory">carbon's <c>LOCAL_DATA_DIR</c> (created when missing).</param>
    /// <param name="cacheQueryPort">carbon-cache's cache-query port, or <see langword="null"/> to read the .wsp files only.</param>
    /// <returns>The running server; dispose it.</returns>
    /// <exception cref="InvalidOperationException">graphite-web did not start (the message has the script's output).</exception>
    public static async Task<GraphiteWebServer> StartAsync(string whisperDirectory, int? cacheQueryPort = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(whisperDirectory);
        string root = RepositoryRoot.TryFind()
            ?? throw new InvalidOperationException($"AioGraphite.slnx (and scripts/graphite-web.sh) not found above {AppContext.BaseDirectory}");
        string scriptPath = Path.Combine(root, "scripts", "graphite-web.sh");
        Directory.CreateDirectory(whisperDirectory);
        string directory = TestDirectory.Create("graphite-web");
        const int attempts = 3;
        for (int attempt = 1; ; attempt++)
        {
            var server = new GraphiteWebServer(scriptPath, directory, FreePorts.AllocateTcp());
            var arguments = new List<string> { scriptPath, "start", directory, whisperDirectory, server.Port.ToString(CultureInfo.InvariantCulture) };
            if (cacheQueryPort is int cq)
            {
                arguments.Add(cq.ToString(CultureInfo.InvariantCulture));
            }

            ProcessRunner.Result result = await ProcessRunner.RunAsync("/bin/bash", arguments, ReadOnlyMemory<byte>.Empty, null, ScriptTimeout, CancellationToken.None).ConfigureAwait(false);
            string? pid = result.StandardOutputText.Split('\n').FirstOrDefault(l => l.StartsWith("PID=", StringComparison.Ordinal));
            if (result.ExitCode == 0 && pid is not null)
            {
                server.Pid = int.Parse(pid.AsSpan(4), CultureInfo.InvariantCulture);
                LiveDaemons.Add(server.Pid);
                return server;
            }

            // A port taken between allocation and bind is the one failure worth retrying.
            bool portTaken = result.StandardError.Contains("already in use", StringComparison.Ordinal)
                || ReadLog(server.ServerLog).Contains("already in use", StringComparison.Ordinal);
            if (!portTaken || attempt == attempts)
            {
                TestDirectory.Delete(directory);
                throw new InvalidOperationException(
                    $"scripts/graphite-web.sh start failed (exit {result.ExitCode}):\n{result.StandardError}\n{result.StandardOutputText}");
            }
        }
    }

    /// <summary>An <see cref="HttpClient"/> whose base address is this server.</summary>
    /// <returns>A new client; dispose it.</returns>
    public HttpClient CreateHttpClient() => new() { BaseAddress = BaseAddress, Timeout = TimeSpan.FromSeconds(30) };

    /// <summary>Stops the server (SIGTERM, then SIGKILL) and deletes its directory.</summary>
    /// <returns>Completes when it is gone.</returns>
    public async ValueTask DisposeAsync()
    {
        if (disposed)
        {
            return;
        }

        disposed = true;
        try
        {
            await ProcessRunner.RunAsync("/bin/bash", [script, "stop", DataDirectory], ReadOnlyMemory<byte>.Empty, null, ScriptTimeout, CancellationToken.None).ConfigureAwait(false);
        }
        finally
        {
            if (Pid > 0)
            {
                if (Posix.IsAlive(Pid))
                {
                    Posix.Signal(Pid, Posix.SigKill);
                }

                LiveDaemons.Remove(Pid);
            }

            TestDirectory.Delete(DataDirectory);
        }
    }

    private static string ReadLog(string path) => File.Exists(path) ? ProcessRunner.ReadShared(path) : string.Empty;

    /// <inheritdoc/>
    public override string ToString() => $"graphite-web at {BaseAddress} (pid {Pid}, {DataDirectory})";
}
