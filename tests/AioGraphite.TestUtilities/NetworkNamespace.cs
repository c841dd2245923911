using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Runtime.InteropServices;

namespace AioGraphite.TestUtilities;

/// <summary>
/// A throw-away Linux network namespace with only its own loopback up, for network faults that must not touch the
/// machine's network: servers and clients run inside it (<c>ip netns exec</c>), and <see cref="BlackHoleAsync"/>
/// drops every packet in it with nftables until <see cref="HealAsync"/>. Needs root.
/// </summary>
/// <remarks>
/// <para>
/// Its name holds this process's pid (<c>aiographite-test-&lt;pid&gt;-&lt;n&gt;</c>). Disposing kills every process inside
/// (by pid, from <c>ip netns pids</c>) and deletes it; so does the exit of this process for namespaces a test forgot,
/// and the next <see cref="CreateAsync"/> deletes namespaces left behind by test processes that no longer exist.
/// </para>
/// <para>
/// A process's sockets belong to the namespace it was in when it created them, so a client under test must run
/// as a process of its own inside (<see cref="Start"/>); the test itself can reach servers inside through
/// <see cref="ConnectTcpAsync"/>, and read their listening sockets through <see cref="ProcNetDirectory"/>.
/// </para>
/// </remarks>
public sealed partial class NetworkNamespace : IAsyncDisposable
{
    private const string NamePrefix = "aiographite-test-";
    private const string HoleTable = "hole";
    private const int CloneNewNet = 0x40000000;
    private static readonly TimeSpan CommandTimeout = TimeSpan.FromSeconds(30);
    private static readonly HashSet<string> Live = [];
    private static readonly Lock LiveGate = new();
    private static int counter;
    private static bool exitHooked;

    private readonly string ip;
    private readonly string nft;
    private RunningProcess? anchor;
    private bool disposed;

    private NetworkNamespace(string name, string ip, string nft)
    {
        Name = name;
        this.ip = ip;
        this.nft = nft;
    }

    /// <summary>The namespace's name, as <c>ip netns list</c> shows it.</summary>
    public string Name { get; }

    /// <summary>
    /// <c>/proc/&lt;pid&gt;/net</c> of a process that lives in the namespace as long as it does: its <c>tcp</c>, <c>udp</c>
    /// tables list the namespace's sockets (<c>/proc/net</c> shows the caller's own namespace).
    /// </summary>
    public string ProcNetDirectory => $"/proc/{(anchor ?? throw new ObjectDisposedException(Name)).Id.ToString(CultureInfo.InvariantCulture)}/net";

    /// <summary>Whether <see cref="BlackHoleAsync"/> is in force.</summary>
    public bool IsBlackHoled { get; private set; }

    /// <summary>
    /// Creates a namespace (after deleting stale ones of dead test processes), brings its loopback up and checks it.
    /// Installs iproute2/nftables through <c>scripts/install-carbon.sh</c> when missing.
    /// </summary>
    /// <returns>The namespace; dispose it.</returns>
    /// <exception cref="InvalidOperationException">Not root, the tools are missing, or the kernel refused; the message says what to do.</exception>
    public static async Task<NetworkNamespace> CreateAsync()
    {
        var (ip, nft) = await NetworkTools.EnsureAvailableAsync().ConfigureAwait(false);
        await RemoveStaleAsync(ip).ConfigureAwait(false);

        var name = $"{NamePrefix}{Environment.ProcessId.ToString(CultureInfo.InvariantCulture)}-{Interlocked.Increment(ref counter).ToString(CultureInfo.InvariantCulture)}";
        var created = new NetworkNamespace(name, ip, nft);
        var add = await ExecAsync(ip, ["netns", "add", name]).ConfigureAwait(false);
        if (add.ExitCode != 0)
        {
            throw new InvalidOperationException(
                $"'ip netns add {name}' failed (exit code {add.ExitCode}): {add.StandardError.Trim()}\n"
                + "The network fault tests need root with CAP_SYS_ADMIN and CAP_NET_ADMIN (not available in some containers).");
        }

        Track(name);
        try
        {
            await created.RunCheckedAsync(ip, "link", "set", "lo", "up").ConfigureAwait(false);

            // A process that stays in the namespace: /proc/<its pid>/net shows the namespace's sockets.
            created.anchor = created.Start("/bin/sh", ["-c", "echo in-namespace >&2; exec sleep infinity"]);
            await created.anchor.WaitForErrorLineAsync(l => l == "in-namespace", CommandTimeout).ConfigureAwait(false);
            var route = await created.RunCheckedAsync(ip, "-o", "addr", "show", "dev", "lo").ConfigureAwait(false);
            if (!route.Contains("127.0.0.1/8", StringComparison.Ordinal))
            {
                throw new InvalidOperationException($"loopback of namespace {name} has no 127.0.0.1: {route}");
            }

            return created;
        }
        catch
        {
            await created.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>The command line that runs <paramref name="fileName"/> inside the namespace (for launchers of daemons).</summary>
    /// <param name="fileName">The program, an absolute path.</param>
    /// <param name="arguments">Its arguments.</param>
    /// <returns><c>ip</c> and its arguments <c>netns exec NAME fileName arguments...</c>.</returns>
    public (string FileName, IReadOnlyList<string> Arguments) Wrap(string fileName, IEnumerable<string> arguments)
    {
        ObjectDisposedException.ThrowIf(disposed, this);
        return (ip, ["netns", "exec", Name, fileName, .. arguments]);
    }

    /// <summary>Runs a program inside the namespace to completion.</summary>
    /// <param name="fileName">The program.</param>
    /// <param name="arguments">Its arguments.</param>
    /// <returns>Exit code and output.</returns>
    public Task<ProcessRunner.Result> RunAsync(string fileName, params string[] arguments)
    {
        var (file, args) = Wrap(fileName, arguments);
        return ExecAsync(file, args);
    }

    /// <summary>Starts a program inside the namespace (it is killed when the namespace is disposed, if not before).</summary>
    /// <param name="fileName">The program, an absolute path.</param>
    /// <param name="arguments">Its arguments.</param>
    /// <param name="environment">Extra environment variables.</param>
    /// <returns>The running process (its pid is the program's own: <c>ip netns exec</c> execs it).</returns>
    public RunningProcess Start(string fileName, IEnumerable<string> arguments, IReadOnlyDictionary<string, string>? environment = null)
    {
        var (file, args) = Wrap(fileName, arguments);
        return RunningProcess.Start(file, args, environment);
    }

    /// <summary>
    /// Drops every packet inside the namespace (an nftables <c>inet hole</c> table whose input hook drops all): existing
    /// connections stall without an error, new ones time out, as behind a network partition.
    /// </summary>
    /// <returns>Completes when the rule is in force.</returns>
    public async Task BlackHoleAsync()
    {
        ObjectDisposedException.ThrowIf(disposed, this);
        await RunCheckedAsync(nft, "add", "table", "inet", HoleTable).ConfigureAwait(false);
        await RunCheckedAsync(nft, "add", "chain", "inet", HoleTable, "input", "{ type filter hook input priority 0 ; policy accept ; }").ConfigureAwait(false);
        await RunCheckedAsync(nft, "add", "rule", "inet", HoleTable, "input", "drop").ConfigureAwait(false);
        IsBlackHoled = true;
    }

    /// <summary>Removes the black hole (<c>nft delete table inet hole</c>).</summary>
    /// <returns>Completes when packets flow again.</returns>
    public async Task HealAsync()
    {
        ObjectDisposedException.ThrowIf(disposed, this);
        await RunCheckedAsync(nft, "delete", "table", "inet", HoleTable).ConfigureAwait(false);
        IsBlackHoled = false;
    }

    /// <summary>The nftables ruleset of the namespace (<c>nft list ruleset</c>).</summary>
    /// <returns>Its text.</returns>
    public Task<string> ListRulesetAsync() => RunCheckedAsync(nft, "list", "ruleset");

    /// <summary>
    /// Connects from this process to <c>127.0.0.1:<paramref name="port"/></c> inside the namespace: the socket is created
    /// on a thread of its own that has joined the namespace (<c>setns</c> moves only the calling thread).
    /// </summary>
    /// <param name="port">The port.</param>
    /// <param name="cancellationToken">Cancels the connect.</param>
    /// <returns>The connected socket.</returns>
    public async Task<Socket> ConnectTcpAsync(int port, CancellationToken cancellationToken = default)
    {
        ObjectDisposedException.ThrowIf(disposed, this);
        var socket = CreateSocketInside();
        try
        {
            await socket.ConnectAsync(new IPEndPoint(IPAddress.Loopback, port), cancellationToken).ConfigureAwait(false);
            return socket;
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    /// <summary>Pids of every process inside the namespace (<c>ip netns pids</c>).</summary>
    /// <returns>The pids.</returns>
    public async Task<IReadOnlyList<int>> ProcessIdsAsync() => await PidsAsync(ip, Name).ConfigureAwait(false);

    /// <summary>Kills every process inside (SIGKILL by pid, waiting until each is gone) and deletes the namespace. Never throws.</summary>
    /// <returns>Completes when the namespace is gone.</returns>
    public async ValueTask DisposeAsync()
    {
        if (disposed)
        {
            return;
        }

        disposed = true;
        try
        {
            await DeleteAsync(ip, Name).ConfigureAwait(false);
        }
        finally
        {
            if (anchor is not null)
            {
                await anchor.DisposeAsync().ConfigureAwait(false);
            }

            Untrack(Name);
        }
    }

    /// <inheritdoc/>
    public override string ToString() => $"network namespace {Name}{(IsBlackHoled ? " (black-holed)" : string.Empty)}";

    private static async Task<ProcessRunner.Result> ExecAsync(string fileName, IReadOnlyList<string> arguments)
        => await ProcessRunner.RunAsync(fileName, arguments, ReadOnlyMemory<byte>.Empty, null, CommandTimeout, CancellationToken.None).ConfigureAwait(false);

    private static async Task<List<int>> PidsAsync(string ip, string name)
    {
        var result = await ExecAsync(ip, ["netns", "pids", name]).ConfigureAwait(false);
        return [.. result.StandardOutputText
            .Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(p => int.TryParse(p, NumberStyles.None, CultureInfo.InvariantCulture, out var pid) ? pid : 0)
            .Where(pid => pid > 0 && pid != Environment.ProcessId)];
    }

    /// <summary>Kills what runs inside, then deletes the namespace; failures are reported on stderr, not thrown.</summary>
    private static async Task DeleteAsync(string ip, string name)
    {
        try
        {
            for (var round = 0; round < 3; round++)
            {
                var pids = await PidsAsync(ip, name).ConfigureAwait(false);
                if (pids.Count == 0)
                {
                    break;
                }

                foreach (var pid in pids)
                {
                    Posix.Signal(pid, Posix.SigKill);
                }

                foreach (var pid in pids)
                {
                    await Posix.WaitForExitAsync(pid, DaemonProcess.KillTimeout).ConfigureAwait(false);
                }
            }

            var delete = await ExecAsync(ip, ["netns", "delete", name]).ConfigureAwait(false);
            if (delete.ExitCode != 0)
            {
                await Console.Error.WriteLineAsync($"NetworkNamespace: 'ip netns delete {name}' failed: {delete.StandardError.Trim()}").ConfigureAwait(false);
            }
        }
        catch (Exception ex) when (ex is InvalidOperationException or TimeoutException or IOException or System.ComponentModel.Win32Exception)
        {
            await Console.Error.WriteLineAsync($"NetworkNamespace: could not delete {name}: {ex.Message}").ConfigureAwait(false);
        }
    }

    /// <summary>Deletes namespaces named by this fixture whose test process is gone (a crashed or killed run).</summary>
    private static async Task RemoveStaleAsync(string ip)
    {
        var list = await ExecAsync(ip, ["netns", "list"]).ConfigureAwait(false);
        foreach (var line in list.StandardOutputText.Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            var name = line.Split(' ', 2)[0];
            if (!name.StartsWith(NamePrefix, StringComparison.Ordinal))
            {
                continue;
            }

            var parts = name[NamePrefix.Length..].Split('-');
            if (parts.Length == 2 && int.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out var owner)
                && owner != Environment.ProcessId && !Posix.IsAlive(owner))
            {
                await DeleteAsync(ip, name).ConfigureAwait(false);
            }
        }
    }

    private static void Track(string name)
    {
        lock (LiveGate)
        {
            if (!exitHooked)
            {
                AppDomain.CurrentDomain.ProcessExit += (_, _) => DeleteForgotten();
                exitHooked = true;
            }

            Live.Add(name);
        }
    }

    private static void Untrack(string name)
    {
        lock (LiveGate)
        {
            Live.Remove(name);
        }
    }

    private static void DeleteForgotten()
    {
        string[] names;
        lock (LiveGate)
        {
            names = [.. Live];
            Live.Clear();
        }

        foreach (var name in names)
        {
            DeleteAsync(NetworkTools.EnsureAvailableAsync().Result.Ip, name).GetAwaiter().GetResult();
        }
    }

    /// <summary>Runs a program inside the namespace; throws when it fails.</summary>
    private async Task<string> RunCheckedAsync(string fileName, params string[] arguments)
    {
        var result = await RunAsync(fileName, arguments).ConfigureAwait(false);
        if (result.ExitCode != 0)
        {
            throw new InvalidOperationException($"in {Name}: '{fileName} {string.Join(' ', arguments)}' failed (exit code {result.ExitCode}): {result.StandardError.Trim()}");
        }

        return result.StandardOutputText;
    }

    private Socket CreateSocketInside()
    {
        Socket? socket = null;
        Exception? failure = null;
        var thread = new Thread(() =>
        {
            try
            {
                using var handle = File.OpenHandle($"/run/netns/{Name}", FileMode.Open, FileAccess.Read);
                if (SetNs((int)handle.DangerousGetHandle(), CloneNewNet) != 0)
                {
                    var errno = Marshal.GetLastPInvokeError();
                    throw new InvalidOperationException($"setns({Name}) failed: errno {errno} ({Marshal.GetPInvokeErrorMessage(errno)})");
                }

                socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
            }
            catch (Exception ex)
            {
                failure = ex;
            }
        })
        {
            IsBackground = true,
            Name = $"socket in {Name}",
        };
        thread.Start();
        thread.Join();
        return socket ?? throw new InvalidOperationException($"could not create a socket inside {Name}", failure);
    }

    [LibraryImport("libc", EntryPoint = "setns", SetLastError = true)]
    private static partial int SetNs(int fd, int nstype);
}
