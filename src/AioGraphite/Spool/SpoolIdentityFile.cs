using System.Globalization;
using System.Text;

namespace AioGraphite.Spool;

/// <summary>
/// The <c>identity</c> file of a destination's spool directory: which destination its records are for. UTF-8 text,
/// one <c>key value</c> line each, written atomically (temporary file, sync, rename):
/// <code>
/// aiographite-spool-identity 1
/// host carbon.example
/// port 2003
/// transport tcp
/// protocol plaintext
/// crc32c 1a2b3c4d
/// </code>
/// <c>transport</c> is <c>tcp</c>, <c>tls</c> or <c>udp</c>; <c>crc32c</c> is the CRC-32C (hex) of every byte before
/// its line. A file that does not parse, or whose checksum fails, is damaged.
/// </summary>
internal static class SpoolIdentityFile
{
    public const string Name = "identity";
    private const string Magic = "aiographite-spool-identity 1";
    private const int MaxBytes = 4096;

    /// <summary>What reading the file found.</summary>
    public enum State
    {
        /// <summary>No identity file (a spool written before identities existed).</summary>
        Missing,

        /// <summary>A valid identity.</summary>
        Valid,

        /// <summary>A file that does not parse or fails its checksum.</summary>
        Damaged,
    }

    /// <summary>The file's text for <paramref name="identity"/>.</summary>
    public static byte[] Format(GraphiteSpoolIdentity identity)
    {
        string body = string.Create(CultureInfo.InvariantCulture, $"{Magic}\nhost {identity.Host}\nport {identity.Port}\ntransport {identity.TransportName}\nprotocol {identity.Protocol}\n");
        byte[] bytes = Encoding.UTF8.GetBytes(body);
        uint crc = Crc32C.Append(0, bytes);
        return Encoding.UTF8.GetBytes(body + string.Create(CultureInfo.InvariantCulture, $"crc32c {crc:x8}\n"));
    }

    /// <summary>Parses the file's bytes; null when they are not a valid identity.</summary>
    public static GraphiteSpoolIdentity? Parse(ReadOnlySpan<byte> content)
    {
        int crcLine = content.LastIndexOf("crc32c "u8);
        if (crcLine < 0 || content.Length > MaxBytes)
        {
            return null;
        }

        string crcText = Encoding.UTF8.GetString(content[(crcLine + 7)..]).TrimEnd('\n');
        if (!uint.TryParse(crcText, NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out uint crc) || crc != Crc32C.Append(0, content[..crcLine]))
        {
            return null;
        }

        string[] lines = Encoding.UTF8.GetString(content[..crcLine]).Split('\n', StringSplitOptions.RemoveEmptyEntries);
        if (lines.Length != 5 || lines[0] != Magic)
        {
            return null;
        }

        var fields = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (string line in lines.AsSpan(1))
        {
            int space = line.IndexOf(' ', StringComparison.Ordinal);
            if (space <= 0 || !fields.TryAdd(line[..space], line[(space + 1)..]))
            {
                return null;
            }
        }

        if (!fields.TryGetValue("host", out string? host) || host.Length == 0
            || !fields.TryGetValue("port", out string? portText) || !int.TryParse(portText, NumberStyles.None, CultureInfo.InvariantCulture, out int port) || port is < 1 or > 65535
            || !fields.TryGetValue("transport", out string? transport) || transport is not ("tcp" or "tls" or "udp")
            || !fields.TryGetValue("protocol", out string? protocol) || protocol is not (GraphiteSpoolIdentity.Plaintext or GraphiteSpoolIdentity.Pickle))
        {
            return null;
        }

        return new GraphiteSpoolIdentity(host, port, transport == "udp" ? GraphiteTransport.Udp : GraphiteTransport.Tcp, protocol, transport == "tls");
    }

    /// <summary>Reads the identity of <paramref name="directory"/> (never writes).</summary>
    public static State Read(SpoolFileSystem fileSystem, string directory, out GraphiteSpoolIdentity? identity)
    {
        identity = null;
        byte[]? content = fileSystem.ReadSmallFile(Path.Combine(directory, Name), MaxBytes + 1); // an over-long file fails the length check
        if (content is null)
        {
            return State.Missing;
        }

        identity = Parse(content);
        return identity is null ? State.Damaged : State.Valid;
    }

    /// <summary>Writes (or replaces) the identity of <paramref name="directory"/> atomically; durable when this returns.</summary>
    public static void Write(SpoolFileSystem fileSystem, string directory, GraphiteSpoolIdentity identity) =>
        fileSystem.WriteAtomically(Path.Combine(directory, Name), Format(identity));

    /// <summary>
    /// The identity a directory written before identity files existed implies by its name
    /// (<c>host_transport_port_protocol</c>; characters of the host other than letters, digits, '.' and '-' were written
    /// as '_'); null when the name is not one the spool makes.
    /// </summary>
    public static GraphiteSpoolIdentity? FromDirectoryName(string name)
    {
        string[] parts = name.Split('_');
        if (parts.Length < 4 || parts[^1] is not (GraphiteSpoolIdentity.Plaintext or GraphiteSpoolIdentity.Pickle)
            || !int.TryParse(parts[^2], NumberStyles.None, CultureInfo.InvariantCulture, out int port) || port is < 1 or > 65535
            || parts[^3] is not ("tcp" or "udp"))
        {
            return null;
        }

        string host = string.Join('_', parts[..^3]);
        return host.Length == 0 ? null : new GraphiteSpoolIdentity(host, port, parts[^3] == "udp" ? GraphiteTransport.Udp : GraphiteTransport.Tcp, parts[^1], Tls: false);
    }
}
