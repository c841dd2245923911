using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace AioGraphite.TestUtilities;

/// <summary>
/// Hands out free loopback ports for test servers, safely for tests running in parallel.
/// </summary>
/// <remarks>
/// <para>A candidate port is accepted only when it is</para>
/// <list type="bullet">
/// <item>not handed out before by this process (a process-wide set: a port is never handed out twice),</item>
/// <item>not used by any socket in <c>/proc/net/tcp{,6}</c> / <c>/proc/net/udp{,6}</c>
/// (carbon binds with <c>SO_REUSEPORT</c>, so a second carbon on a taken port would start and silently share the traffic),</item>
/// <item>bindable right now on 127.0.0.1, for TCP and (with the <c>TcpAndUdp</c> methods) UDP: bind, then release,</item>
/// <item>not locked by another test process (a byte-range lock on one shared file, held until this process exits).</item>
/// </list>
/// <para>
/// Candidates are taken at random below the kernel's ephemeral range (<c>ip_local_port_range</c>), so the
/// port cannot be grabbed as the local port of an outgoing connection between "released" and "bound by the
/// server" (or while a killed server is down). When that range leaves too little room, ports come from a
/// plain bind to port 0 instead.
/// </para>
/// </remarks>
public static class FreePorts
{
    private const int LowestPort = 10000;
    private const int MaxAttempts = 2000;

    private static readonly HashSet<int> HandedOut = [];
    private static readonly Lock Gate = new();
    private static readonly (int Low, int High) Ephemeral = ReadEphemeralRange();
    private static FileStream? crossProcessLockFile;
    private static bool crossProcessLockTried;

    /// <summary>Returns a loopback port that is free for TCP.</summary>
    /// <returns>The port number.</returns>
    public static int AllocateTcp() => Allocate(1, udpToo: false)[0];

    /// <summary>Returns a loopback port that is free for both TCP and UDP (carbon listens on both, often with one number).</summary>
    /// <returns>The port number.</returns>
    public static int AllocateTcpAndUdp() => Allocate(1, udpToo: true)[0];

    /// <summary>Returns <paramref name="count"/> distinct loopback ports, each free for both TCP and UDP.</summary>
    /// <param name="count">How many ports.</param>
    /// <returns>The port numbers.</returns>
    public static IReadOnlyList<int> AllocateTcpAndUdp(int count)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        return Allocate(count, udpToo: true);
    }

    /// <summary>True when a TCP socket is in LISTEN on 127.0.0.1:<paramref name="port"/>, read from <c>/proc/net/tcp</c> (no connection is made).</summary>
    /// <param name="port">The port.</param>
    /// <returns>Whether something listens there.</returns>
    public static bool IsTcpListening(int port) => ProcNet.IsTcpListening(port);

    /// <summary>True when a UDP socket is bound to 127.0.0.1:<paramref name="port"/>, read from <c>/proc/net/udp</c>.</summary>
    /// <param name="port">The port.</param>
    /// <returns>Whether something is bound there.</returns>
    public static bool IsUdpBound(int port) => ProcNet.IsUdpBound(port);

    private static int[] Allocate(int count, bool udpToo)
    {
        lock (Gate)
        {
            var used = ProcNet.AllUsedPorts(); // one snapshot per call: reading /proc/net/* is slow-ish
            var useLowRange = Ephemeral.Low - LowestPort >= 2000;
            var ports = new int[count];
            for (var i = 0; i < count; i++)
            {
                ports[i] = AllocateOne(used, useLowRange, udpToo);
            }

            return ports;
        }
    }

    private static int AllocateOne(HashSet<int> used, bool useLowRange, bool udpToo)
    {
        for (var attempt = 0; attempt < MaxAttempts; attempt++)
        {
            var candidate = useLowRange && attempt < MaxAttempts / 2
                ? Random.Shared.Next(LowestPort, Ephemeral.Low)
                : BindToZero();
            if (TryTake(candidate, used, udpToo))
            {
                return candidate;
            }
        }

        throw new InvalidOperationException($"FreePorts: no free loopback port found after {MaxAttempts} attempts ({HandedOut.Count} handed out by this process)");
    }

    private static bool TryTake(int port, HashSet<int> used, bool udpToo)
    {
        if (port <= 0 || HandedOut.Contains(port) || used.Contains(port))
        {
            return false;
        }

        if (!CanBind(SocketType.Stream, ProtocolType.Tcp, port) || (udpToo && !CanBind(SocketType.Dgram, ProtocolType.Udp, port)))
        {
            return false;
        }

        if (!TryLockAcrossProcesses(port))
        {
            return false;
        }

        HandedOut.Add(port);
        return true;
    }

    private static bool CanBind(SocketType type, ProtocolType protocol, int port)
    {
        try
        {
            using var socket = new Socket(AddressFamily.InterNetwork, type, protocol);
            socket.Bind(new IPEndPoint(IPAddress.Loopback, port));
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }

    private static int BindToZero()
    {
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        socket.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        return ((IPEndPoint)socket.LocalEndPoint!).Port;
    }

    // One shared file; byte N is locked (fcntl, released by the kernel when this process exits) while port N
    // belongs to this process. Best effort: without the file (permissions, platform) only the checks above apply.
    private static bool TryLockAcrossProcesses(int port)
    {
        if (!crossProcessLockTried)
        {
            crossProcessLockTried = true;
            crossProcessLockFile = OpenLockFile();
        }

        if (crossProcessLockFile is null || !OperatingSystem.IsLinux())
        {
            return true;
        }

        try
        {
            crossProcessLockFile.Lock(port, 1);
            return true;
        }
        catch (IOException)
        {
            return false; // another test process holds it
        }
        catch (PlatformNotSupportedException)
        {
            return true;
        }
    }

    private static FileStream? OpenLockFile()
    {
        if (!OperatingSystem.IsLinux())
        {
            return null;
        }

        var path = Path.Combine(Path.GetTempPath(), "aiographite-test-ports.lock");
        try
        {
            var stream = new FileStream(path, new FileStreamOptions
            {
                Mode = FileMode.OpenOrCreate,
                Access = FileAccess.ReadWrite,
                Share = FileShare.ReadWrite | FileShare.Delete,
                UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.GroupWrite | UnixFileMode.OtherRead | UnixFileMode.OtherWrite,
            });
            try
            {
                // umask usually strips the group/other write bits; other users' test runs need them.
                File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.GroupWrite | UnixFileMode.OtherRead | UnixFileMode.OtherWrite);
            }
            catch (UnauthorizedAccessException)
            {
                // created by another user: fine.
            }
            catch (IOException)
            {
            }

            return stream;
        }
        catch (IOException)
        {
            return null;
        }
        catch (UnauthorizedAccessException)
        {
            return null;
        }
    }

    private static (int Low, int High) ReadEphemeralRange()
    {
        try
        {
            var parts = File.ReadAllText("/proc/sys/net/ipv4/ip_local_port_range")
                .Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries);
            return (int.Parse(parts[0], CultureInfo.InvariantCulture), int.Parse(parts[1], CultureInfo.InvariantCulture));
        }
        catch (Exception ex) when (ex is IOException or FormatException or IndexOutOfRangeException or UnauthorizedAccessException)
        {
            return (32768, 60999); // Linux default
        }
    }
}
