using System.Security.Cryptography.X509Certificates;
using AioGraphite.TestUtilities.Tls;

namespace AioGraphite.Throughput;

/// <summary>TLS for sink mode: a throw-away CA and server certificate (ECDSA P-256, the test PKI), the sink's certificate and the client's trust.</summary>
internal sealed class BenchTls : IDisposable
{
    private readonly TestCertificates _certificates = TestCertificates.Create();

    public BenchTls() => ServerCertificate = _certificates.Server.LoadWithKey();

    /// <summary>The sink's certificate, with its key.</summary>
    public X509Certificate2 ServerCertificate { get; }

    /// <summary>The client's settings: trust the bench's CA (the certificate names 127.0.0.1).</summary>
    public GraphiteTlsOptions ClientOptions => new() { CaBundlePath = _certificates.Ca.CertificatePath };

    /// <summary>The same trust for the ceiling's raw SslStream.</summary>
    public X509ChainPolicy ChainPolicy()
    {
        var policy = new X509ChainPolicy { TrustMode = X509ChainTrustMode.CustomRootTrust, RevocationMode = X509RevocationMode.NoCheck };
        policy.CustomTrustStore.Add(X509CertificateLoader.LoadCertificateFromFile(_certificates.Ca.CertificatePath));
        return policy;
    }

    public void Dispose()
    {
        ServerCertificate.Dispose();
        _certificates.Dispose();
    }
}
