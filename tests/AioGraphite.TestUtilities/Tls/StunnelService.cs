namespace AioGraphite.TestUtilities.Tls;

/// <summary>One <c>[service]</c> of a <see cref="StunnelServer"/>: TLS on a free loopback port, forwarded in plaintext to <see cref="ConnectPort"/>.</summary>
/// <param name="Name">The service's name (letters, digits, dashes).</param>
/// <param name="ConnectPort">Where the decrypted stream goes (a carbon-cache line or pickle port).</param>
/// <param name="Certificate">The server certificate and key.</param>
/// <param name="ClientCaPath">With a CA file: mutual TLS, a client certificate from that CA is required (<c>requireCert</c>, <c>verifyChain</c>); null: none asked.</param>
/// <param name="MaxTlsVersion">stunnel's <c>sslVersionMax</c> (e.g. <c>TLSv1.2</c>); null: the newest (TLS 1.3).</param>
public sealed record StunnelService(string Name, int ConnectPort, TestCertificate Certificate, string? ClientCaPath = null, string? MaxTlsVersion = null);
