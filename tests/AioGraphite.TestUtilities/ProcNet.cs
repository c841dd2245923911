using System.Globalization;

namespace AioGraphite.TestUtilities;

/// <summary>
/// Reads the kernel's socket tables (<c>/proc/net/tcp</c>, <c>tcp6</c>, <c>udp</c>, <c>udp6</c>),
/// so readiness checks never open a connection to the server under test.
/// Reading a table costs a few milliseconds here: callers take one snapshot per check.
/// </summary>
/// <remarks>
/// <c>/proc/net</c> shows the caller's own network namespace. For another namespace pass the
/// <c>/proc/&lt;pid&gt;/net</c> directory of a process inside it (<see cref="NetworkNamespace.ProcNetDirectory"/>).
/// </remarks>
internal static class ProcNet
{
    private const string TcpListen = "0A";
    private const string Loopback4 = "0100007F";

    /// <summary>The caller's own namespace.</summary>
    public const string Own = "/proc/net";

    /// <summary>Ports with a TCP socket in LISTEN on 127.0.0.1 (or on any IPv4/IPv6 address if <paramref name="anyAddress"/>).</summary>
    public static HashSet<int> TcpListeningPorts(bool anyAddress = false, string procNet = Own)
    {
        var ports = new HashSet<int>();
        Scan(procNet + "/tcp", ports, anyAddress, requireListen: true);
        if (anyAddress)
        {
            Scan(procNet + "/tcp6", ports, anyAddress: true, requireListen: true);
        }

        return ports;
    }

    /// <summary>Ports with a UDP socket bound on 127.0.0.1 (or on any IPv4/IPv6 address if <paramref name="anyAddress"/>).</summary>
    public static HashSet<int> UdpBoundPorts(bool anyAddress = false, string procNet = Own)
    {
        var ports = new HashSet<int>();
        Scan(procNet + "/udp", ports, anyAddress, requireListen: false);
        if (anyAddress)
        {
            Scan(procNet + "/udp6", ports, anyAddress: true, requireListen: false);
        }

        return ports;
    }

    /// <summary>Local ports used by any TCP socket (any state: listening, connected, closing) or UDP socket, on any address.</summary>
    public static HashSet<int> AllUsedPorts()
    {
        var ports = new HashSet<int>();
        Scan("/proc/net/tcp", ports, anyAddress: true, requireListen: false);
        Scan("/proc/net/tcp6", ports, anyAddress: true, requireListen: false);
        Scan("/proc/net/udp", ports, anyAddress: true, requireListen: false);
        Scan("/proc/net/udp6", ports, anyAddress: true, requireListen: false);
        return ports;
    }

    public static bool IsTcpListening(int port, bool anyAddress = false, string procNet = Own) => TcpListeningPorts(anyAddress, procNet).Contains(port);

    public static bool IsUdpBound(int port, bool anyAddress = false, string procNet = Own) => UdpBoundPorts(anyAddress, procNet).Contains(port);

    private static void Scan(string table, HashSet<int> ports, bool anyAddress, bool requireListen)
    {
        string[] lines;
        try
        {
            lines = File.ReadAllLines(table);
        }
        catch (IOException)
        {
            return; // e.g. no IPv6 in this kernel
        }

        foreach (var line in lines.Skip(1))
        {
            // "  sl  local_address rem_address   st ..." e.g. "0: 0100007F:1F90 00000000:0000 0A ..."
            var fields = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (fields.Length < 4)
            {
                continue;
            }

            var local = fields[1];
            var colon = local.LastIndexOf(':');
            if (colon < 0 || !int.TryParse(local.AsSpan(colon + 1), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out var port))
            {
                continue;
            }

            if (!anyAddress && !local.AsSpan(0, colon).Equals(Loopback4, StringComparison.OrdinalIgnoreCase))
            {
                continue;
            }

            if (requireListen && !string.Equals(fields[3], TcpListen, StringComparison.Ordinal))
            {
                continue;
            }

            ports.Add(port);
        }
    }
}
