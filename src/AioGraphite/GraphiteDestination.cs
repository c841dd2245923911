using System.Globalization;
using System.Net;

namespace AioGraphite;

/// <summary>
/// One carbon endpoint of a cluster: <c>host:port[=instance]</c>, as in carbon's <c>DESTINATIONS</c> and
/// carbon-c-relay's <c>carbon_ch</c> cluster. The instance name takes part in the consistent hash: give two
/// caches on one host different instances (<c>=a</c>, <c>=b</c>) or they hash alike.
/// </summary>
/// <param name="Host">Host name or IP address.</param>
/// <param name="Port">TCP (or UDP) port.</param>
/// <param name="Instance">carbon instance name, or <see langword="null"/>.</param>
public sealed record GraphiteDestination(string Host, int Port, string? Instance = null)
{
    /// <summary>Parses <c>host:port</c>, <c>host:port=instance</c> or <c>[ipv6]:port=instance</c>.</summary>
    /// <param name="text">The text to parse.</param>
    /// <returns>The destination.</returns>
    /// <exception cref="FormatException">The text is not of that form; the message says why.</exception>
    public static GraphiteDestination Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        return TryParse(text, out GraphiteDestination? destination, out string? error)
            ? destination
            : throw new FormatException($"Invalid destination '{text}': {error}. Expected host:port or host:port=instance, e.g. 127.0.0.1:2003=a.");
    }

    /// <summary>Parses like <see cref="Parse"/> without throwing.</summary>
    /// <param name="text">The text to parse.</param>
    /// <param name="destination">The destination when parsed.</param>
    /// <returns>Whether the text was valid.</returns>
    public static bool TryParse(string? text, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out GraphiteDestination? destination) =>
        TryParse(text, out destination, out _);

    /// <inheritdoc/>
    public override string ToString()
    {
        string host = Host.Contains(':', StringComparison.Ordinal) ? $"[{Host}]" : Host;
        return Instance is null ? $"{host}:{Port.ToString(CultureInfo.InvariantCulture)}" : $"{host}:{Port.ToString(CultureInfo.InvariantCulture)}={Instance}";
    }

    private static bool TryParse(string? text, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out GraphiteDestination? destination, out string? error)
    {
        destination = null;
        error = null;
        if (string.IsNullOrWhiteSpace(text))
        {
            error = "it is empty";
            return false;
        }

        string rest = text.Trim();
        string? instance = null;
        int eq = rest.IndexOf('=', StringComparison.Ordinal);
        if (eq >= 0)
        {
            instance = rest[(eq + 1)..];
            rest = rest[..eq];
            if (instance.Length == 0 || instance.Any(char.IsWhiteSpace))
            {
                error = "the instance name is empty or has whitespace";
                return false;
            }
        }

        int colon = rest.LastIndexOf(':');
        if (colon <= 0)
        {
            error = "the port is missing";
            return false;
        }

        string host = rest[..colon];
        if (host.StartsWith('[') && host.EndsWith(']'))
        {
            host = host[1..^1];
        }

        if (!int.TryParse(rest.AsSpan(colon + 1), NumberStyles.None, CultureInfo.InvariantCulture, out int port) || port is < 1 or > IPEndPoint.MaxPort)
        {
            error = "the port is not a number between 1 and 65535";
            return false;
        }

        if (host.Length == 0)
        {
            error = "the host is empty";
            return false;
        }

        destination = new GraphiteDestination(host, port, instance);
        return true;
    }
}
