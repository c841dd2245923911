using System.Globalization;

namespace AioGraphite;

/// <summary>
/// Which destination a spool directory's records are for: carbon's host and port, the transport and the wire protocol.
/// Written in the directory's <c>identity</c> file when the directory is created (see <c>docs/spool.md</c>).
/// </summary>
/// <param name="Host">carbon's host name or address, as configured.</param>
/// <param name="Port">carbon's port (a TLS terminator's with <paramref name="Tls"/>).</param>
/// <param name="Transport">TCP or UDP.</param>
/// <param name="Protocol">The records' wire format: <c>plaintext</c> or <c>pickle</c>.</param>
/// <param name="Tls">Whether the destination is reached over TLS (TCP only).</param>
public sealed record GraphiteSpoolIdentity(string Host, int Port, GraphiteTransport Transport, string Protocol, bool Tls)
{
    /// <summary><see cref="Protocol"/> of carbon's line protocol.</summary>
    public const string Plaintext = "plaintext";

    /// <summary><see cref="Protocol"/> of carbon's pickle protocol.</summary>
    public const string Pickle = "pickle";

    /// <summary>The transport as the identity file and the CLI write it: <c>tcp</c>, <c>tls</c> or <c>udp</c>.</summary>
    public string TransportName => Transport == GraphiteTransport.Udp ? "udp" : Tls ? "tls" : "tcp";

    /// <summary>Whether records spooled for <paramref name="other"/> are for the same carbon listener as this identity's: same host (ignoring case), port, protocol and transport (TCP with or without TLS are the same listener).</summary>
    /// <param name="other">The other identity.</param>
    /// <returns>Whether they match.</returns>
    public bool SameDestinationAs(GraphiteSpoolIdentity other)
    {
        ArgumentNullException.ThrowIfNull(other);
        return string.Equals(Host, other.Host, StringComparison.OrdinalIgnoreCase) && Port == other.Port
            && Transport == other.Transport && string.Equals(Protocol, other.Protocol, StringComparison.Ordinal);
    }

    /// <summary>Host, port, protocol and transport: <c>carbon.example:2003 plaintext over tcp</c>.</summary>
    /// <returns>The text.</returns>
    public override string ToString()
    {
        string host = Host.Contains(':', StringComparison.Ordinal) ? $"[{Host}]" : Host;
        return string.Create(CultureInfo.InvariantCulture, $"{host}:{Port} {Protocol} over {TransportName}");
    }
}
