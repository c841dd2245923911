namespace AioGraphite.Extensions.Hosting;

/// <summary>
/// TLS settings of <see cref="GraphiteOptions"/>, bindable from configuration (<c>Graphite:Tls:*</c>): the bindable form
/// of <see cref="GraphiteTlsOptions"/>. TLS is used only when <see cref="Enabled"/> is <see langword="true"/>; any other
/// TLS key set without it stops the start-up (a TLS setting never silently means plaintext).
/// </summary>
/// <example>
/// <code language="json">
/// "Graphite": {
///   "Host": "carbon.example.com", "Port": 2443,
///   "Tls": {
///     "Enabled": true,
///     "CaBundlePath": "/etc/graphite/ca.pem",
///     "ClientCertificatePath": "/etc/graphite/client.pem",
///     "ClientKeyPath": "/etc/graphite/client.key"
///   }
/// }
/// </code>
/// </example>
public sealed class GraphiteTlsSettings
{
    /// <summary>Whether to connect with TLS. Default <see langword="false"/> (plaintext TCP).</summary>
    public bool Enabled { get; set; }

    /// <summary><see cref="GraphiteTlsOptions.TargetHost"/>: the name for SNI and the certificate check. Default: the host connected to.</summary>
    public string? TargetHost { get; set; }

    /// <summary><see cref="GraphiteTlsOptions.CaBundlePath"/>: a PEM file of the CAs to trust instead of the system's. Default: the system's trusted CAs.</summary>
    public string? CaBundlePath { get; set; }

    /// <summary><see cref="GraphiteTlsOptions.PinnedSha256"/>: SHA-256 pins of the server certificate's public key or of the certificate. Default none (empty).</summary>
    public IList<string> PinnedSha256 { get; } = [];

    /// <summary><see cref="GraphiteTlsOptions.ClientCertificatePath"/>: mutual TLS, the client certificate (PEM). Default none.</summary>
    public string? ClientCertificatePath { get; set; }

    /// <summary><see cref="GraphiteTlsOptions.ClientKeyPath"/>: its private key (PEM). Default: read from <see cref="ClientCertificatePath"/>.</summary>
    public string? ClientKeyPath { get; set; }

    /// <summary><see cref="GraphiteTlsOptions.InsecureSkipVerify"/>: accept any server certificate, FOR TESTING ONLY. Default <see langword="false"/>.</summary>
    public bool InsecureSkipVerify { get; set; }

    /// <summary>Whether any TLS setting besides <see cref="Enabled"/> is set.</summary>
    internal bool AnySet => TargetHost is not null || CaBundlePath is not null || PinnedSha256.Count > 0 || ClientCertificatePath is not null || ClientKeyPath is not null || InsecureSkipVerify;

    /// <summary>The library's TLS options these settings describe, or <see langword="null"/> when TLS is not enabled.</summary>
    /// <returns>New options; not validated (<see cref="GraphiteClientOptions.Validate"/> checks them).</returns>
    public GraphiteTlsOptions? ToTlsOptions() => !Enabled ? null : new GraphiteTlsOptions
    {
        TargetHost = Empty(TargetHost),
        CaBundlePath = Empty(CaBundlePath),
        PinnedSha256 = PinnedSha256.Count == 0 ? null : [.. PinnedSha256],
        ClientCertificatePath = Empty(ClientCertificatePath),
        ClientKeyPath = Empty(ClientKeyPath),
        InsecureSkipVerify = InsecureSkipVerify,
    };

    private static string? Empty(string? value) => string.IsNullOrEmpty(value) ? null : value;
}
