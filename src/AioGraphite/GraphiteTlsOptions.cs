using System.Net.Security;
using System.Security.Cryptography.X509Certificates;
using AioGraphite.Transport;

namespace AioGraphite;

/// <summary>
/// TLS to a terminator in front of carbon (carbon-c-relay's <c>ssl</c> listener, stunnel, HAProxy, a hosted Graphite
/// service's TLS port): set <see cref="GraphiteClientOptions.Tls"/> to an instance (<c>new GraphiteTlsOptions()</c>
/// verifies the server against the system's trusted CAs and the host name connected to). TLS 1.2 or 1.3 only; a
/// failed handshake never falls back to plaintext, and no point is written before the handshake succeeded.
/// </summary>
/// <remarks>
/// <para>
/// Every connection (and every reconnection) makes a new handshake, and the files named here (CA bundle, client
/// certificate and key) are read again for it: replacing them on disk rotates them without restarting. The handshake
/// counts against <see cref="GraphiteClientOptions.ConnectTimeout"/>.
/// </para>
/// <para>
/// With several destinations (client-side sharding) every destination gets its own TLS connection with these settings;
/// when <see cref="TargetHost"/> is <see langword="null"/> each destination's certificate is checked against that
/// destination's own host.
/// </para>
/// <para>
/// Failures (an untrusted, expired or wrongly named certificate, a server that does not speak TLS, a client
/// certificate missing or rejected) are <see cref="GraphiteException"/>s naming host, port and the reason. Messages
/// and logs name files, never their contents.
/// </para>
/// </remarks>
/// <example>
/// <code>
/// var options = new GraphiteClientOptions
/// {
///     Tls = new GraphiteTlsOptions
///     {
///         CaBundlePath = "/etc/graphite/ca.pem",               // trust this CA only (default: the system's CAs)
///         ClientCertificatePath = "/etc/graphite/client.pem",  // mutual TLS
///         ClientKeyPath = "/etc/graphite/client.key",
///     },
/// };
/// await using var graphite = await GraphiteClient.ConnectAsync("carbon.example.com", 2443, options: options);
/// </code>
/// </example>
public sealed record GraphiteTlsOptions
{
    /// <summary>
    /// The name sent in SNI and checked against the server certificate's names (DNS or IP subject alternative names).
    /// Default <see langword="null"/>: the host connected to (each destination's own host when sharding). Set it when
    /// connecting by an address or alias the certificate does not name.
    /// </summary>
    public string? TargetHost { get; init; }

    /// <summary>
    /// A PEM file of the CA certificates to trust instead of the system's store (one or more
    /// <c>-----BEGIN CERTIFICATE-----</c> blocks: the root CA, and intermediates if the server does not send them).
    /// Default <see langword="null"/>: the system's trusted CAs. Read again on every connection. Revocation is not checked.
    /// </summary>
    public string? CaBundlePath { get; init; }

    /// <summary>
    /// Pins: SHA-256 hashes one of which the server's certificate must match, in addition to the chain and name
    /// checks. Each entry is the hash of the certificate's public key (its SubjectPublicKeyInfo, as curl's
    /// <c>--pinnedpubkey sha256//...</c>; survives renewals with the same key) or of the whole certificate (the
    /// fingerprint <c>openssl x509 -noout -fingerprint -sha256</c> prints), in hex (colons allowed) or base64, with
    /// an optional <c>sha256//</c> prefix. Default <see langword="null"/> (or empty): no pinning.
    /// </summary>
    public IReadOnlyList<string>? PinnedSha256 { get; init; }

    /// <summary>
    /// Mutual TLS: a PEM file with the client certificate (optionally followed by its intermediate CA certificates,
    /// sent to the server with it). Default <see langword="null"/>: no client certificate. Read again on every connection.
    /// </summary>
    public string? ClientCertificatePath { get; init; }

    /// <summary>
    /// The PEM file with the private key of <see cref="ClientCertificatePath"/> (PKCS#8, PKCS#1 or SEC1; unencrypted:
    /// protect it with file permissions, owner-only). Default <see langword="null"/>: the key is read from
    /// <see cref="ClientCertificatePath"/> itself. Read again on every connection; never logged.
    /// </summary>
    public string? ClientKeyPath { get; init; }

    /// <summary>
    /// Mutual TLS with a certificate already loaded, with its private key (instead of <see cref="ClientCertificatePath"/>).
    /// Default <see langword="null"/>. The client never disposes it; to rotate it, create a new client.
    /// </summary>
    public X509Certificate2? ClientCertificate { get; init; }

    /// <summary>
    /// An escape hatch for custom server validation: called with the certificate, its chain (built against the system's
    /// store or <see cref="CaBundlePath"/>) and the errors the built-in checks found; its answer replaces the built-in
    /// chain and name verdict (pins, if any, are still checked when it accepts). Default <see langword="null"/>: the
    /// built-in checks decide. It runs on a connection thread during each handshake; keep it fast and never throw.
    /// </summary>
    public RemoteCertificateValidationCallback? RemoteCertificateValidationCallback { get; init; }

    /// <summary>
    /// Accept any server certificate without checking it: FOR TESTING ONLY. The traffic is still encrypted, but anyone on
    /// the path can impersonate the server, read and change the metrics. Default <see langword="false"/>. The client logs a
    /// warning when a client with it is created. Cannot be combined with <see cref="CaBundlePath"/>,
    /// <see cref="PinnedSha256"/> or <see cref="RemoteCertificateValidationCallback"/>.
    /// </summary>
    public bool InsecureSkipVerify { get; init; }

    /// <summary>
    /// Checks the settings (without reading any file) and throws <see cref="ArgumentException"/> naming the first bad one.
    /// <see cref="GraphiteClientOptions.Validate"/> calls it.
    /// </summary>
    public void Validate() => Validate(string.Empty);

    /// <summary>Checks the settings; <paramref name="prefix"/> (e.g. <c>Tls.</c>) goes before every property name in messages and <see cref="ArgumentException.ParamName"/>.</summary>
    /// <param name="prefix">What to put before property names.</param>
    internal void Validate(string prefix)
    {
        if (TargetHost is not null && (TargetHost.Length == 0 || TargetHost.Any(char.IsWhiteSpace)))
        {
            throw Invalid(prefix, nameof(TargetHost), "must be a host name or IP address (or null for the host connected to)");
        }

        NotEmpty(prefix, nameof(CaBundlePath), CaBundlePath);
        NotEmpty(prefix, nameof(ClientCertificatePath), ClientCertificatePath);
        NotEmpty(prefix, nameof(ClientKeyPath), ClientKeyPath);
        if (ClientKeyPath is not null && ClientCertificatePath is null)
        {
            throw Invalid(prefix, nameof(ClientKeyPath), $"is set without {prefix}{nameof(ClientCertificatePath)}: a key needs its certificate");
        }

        if (ClientCertificate is not null && ClientCertificatePath is not null)
        {
            throw Invalid(prefix, nameof(ClientCertificate), $"and {prefix}{nameof(ClientCertificatePath)} are both set: give the client certificate one way");
        }

        if (ClientCertificate is not null && !ClientCertificate.HasPrivateKey)
        {
            throw Invalid(prefix, nameof(ClientCertificate), "has no private key: a client certificate needs one");
        }

        if (PinnedSha256 is not null)
        {
            foreach (string? pin in PinnedSha256)
            {
                if (!TlsPins.TryParse(pin, out _))
                {
                    throw Invalid(prefix, nameof(PinnedSha256), $"entry '{pin}' is not a SHA-256 hash: 64 hex digits (colons allowed) or 44 base64 characters, optionally after 'sha256//'");
                }
            }
        }

        if (InsecureSkipVerify)
        {
            string? conflict = CaBundlePath is not null ? nameof(CaBundlePath)
                : PinnedSha256 is { Count: > 0 } ? nameof(PinnedSha256)
                : RemoteCertificateValidationCallback is not null ? nameof(RemoteCertificateValidationCallback)
                : null;
            if (conflict is not null)
            {
                throw Invalid(prefix, nameof(InsecureSkipVerify), $"turns off every check of the server certificate, so {prefix}{conflict} would be ignored: use one or the other");
            }
        }
    }

    private static void NotEmpty(string prefix, string name, string? path)
    {
        if (path is not null && string.IsNullOrWhiteSpace(path))
        {
            throw Invalid(prefix, name, "is empty: give a file path or leave it null");
        }
    }

    private static ArgumentException Invalid(string prefix, string name, string problem) =>
        new($"{prefix}{name} {problem}.", prefix + name);
}
