using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace AioGraphite.TestUtilities.Tls;

/// <summary>
/// A throw-away PKI for TLS tests, made in-process with .NET's <see cref="CertificateRequest"/> (ECDSA P-256) and
/// written as PEM files into a temp directory: a test CA, a second CA nobody trusts, and certificates for every case.
/// Server certificates name <c>DNS:localhost, IP:127.0.0.1</c> unless said otherwise.
/// </summary>
public sealed class TestCertificates : IDisposable
{
    private const string ServerAuth = "1.3.6.1.5.5.7.3.1";
    private const string ClientAuth = "1.3.6.1.5.5.7.3.2";

    private TestCertificates(string directory)
    {
        Directory = directory;
        var now = DateTimeOffset.UtcNow;
        using ECDsa caKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        using X509Certificate2 ca = CreateCa("AioGraphite Test CA", caKey, now);
        using ECDsa otherKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        using X509Certificate2 other = CreateCa("Some Other CA", otherKey, now);
        Ca = Write("ca", ca, null);
        OtherCa = Write("other-ca", other, null);
        Server = Leaf("server", "CN=localhost", ca, ServerAuth, ["localhost"], [IPAddress.Loopback], now.AddDays(-1), now.AddDays(2));
        ServerFromOtherCa = Leaf("server-other-ca", "CN=localhost", other, ServerAuth, ["localhost"], [IPAddress.Loopback], now.AddDays(-1), now.AddDays(2));
        ExpiredServer = Leaf("server-expired", "CN=localhost", ca, ServerAuth, ["localhost"], [IPAddress.Loopback], now.AddDays(-5), now.AddDays(-2));
        WrongNameServer = Leaf("server-wrong-name", "CN=carbon.example.com", ca, ServerAuth, ["carbon.example.com"], [], now.AddDays(-1), now.AddDays(2));
        Client = Leaf("client", "CN=aiographite-test-client", ca, ClientAuth, [], [], now.AddDays(-1), now.AddDays(2));
        ClientFromOtherCa = Leaf("client-other-ca", "CN=aiographite-test-client", other, ClientAuth, [], [], now.AddDays(-1), now.AddDays(2));
    }

    /// <summary>The directory holding the files; deleted on dispose (unless <c>AIOGRAPHITE_KEEP_TEST_DIRS=1</c>).</summary>
    public string Directory { get; }

    /// <summary>The test CA (certificate only: <see cref="TestCertificate.KeyPath"/> is empty). Its file is the CA bundle clients trust.</summary>
    public TestCertificate Ca { get; }

    /// <summary>A CA nobody trusts.</summary>
    public TestCertificate OtherCa { get; }

    /// <summary>A valid server certificate from <see cref="Ca"/>.</summary>
    public TestCertificate Server { get; }

    /// <summary>A server certificate from <see cref="OtherCa"/> (untrusted).</summary>
    public TestCertificate ServerFromOtherCa { get; }

    /// <summary>A server certificate from <see cref="Ca"/> that expired two days ago.</summary>
    public TestCertificate ExpiredServer { get; }

    /// <summary>A server certificate from <see cref="Ca"/> for <c>carbon.example.com</c> only (a name mismatch on loopback).</summary>
    public TestCertificate WrongNameServer { get; }

    /// <summary>A client certificate from <see cref="Ca"/> (extended key usage clientAuth).</summary>
    public TestCertificate Client { get; }

    /// <summary>A client certificate from <see cref="OtherCa"/> (a server trusting <see cref="Ca"/> rejects it).</summary>
    public TestCertificate ClientFromOtherCa { get; }

    /// <summary>Makes the PKI in a fresh temp directory.</summary>
    /// <returns>The certificates; dispose to delete the files.</returns>
    public static TestCertificates Create() => new(TestDirectory.Create("tls-certs"));

    /// <summary>Deletes the files.</summary>
    public void Dispose() => TestDirectory.Delete(Directory);

    private static X509Certificate2 CreateCa(string name, ECDsa key, DateTimeOffset now)
    {
        var request = new CertificateRequest($"CN={name}", key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
        request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, false));
        return request.CreateSelfSigned(now.AddDays(-10), now.AddDays(10));
    }

    private TestCertificate Leaf(string name, string subject, X509Certificate2 issuer, string usage, string[] dnsNames, IPAddress[] addresses, DateTimeOffset notBefore, DateTimeOffset notAfter)
    {
        using ECDsa key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest(subject, key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature, true));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid(usage)], false));
        request.CertificateExtensions.Add(X509AuthorityKeyIdentifierExtension.CreateFromCertificate(issuer, true, false));
        if (dnsNames.Length + addresses.Length > 0)
        {
            var san = new SubjectAlternativeNameBuilder();
            foreach (string dns in dnsNames)
            {
                san.AddDnsName(dns);
            }

            foreach (IPAddress address in addresses)
            {
                san.AddIpAddress(address);
            }

            request.CertificateExtensions.Add(san.Build());
        }

        byte[] serial = RandomNumberGenerator.GetBytes(16);
        serial[0] &= 0x7F;
        using X509Certificate2 cert = request.Create(issuer, notBefore, notAfter, serial);
        return Write(name, cert, key);
    }

    private TestCertificate Write(string name, X509Certificate2 cert, ECDsa? key)
    {
        string certPath = Path.Combine(Directory, name + ".pem");
        string keyPath = key is null ? string.Empty : Path.Combine(Directory, name + ".key");
        string combinedPath = key is null ? string.Empty : Path.Combine(Directory, name + "-combined.pem");
        string certPem = cert.ExportCertificatePem() + "\n";
        File.WriteAllText(certPath, certPem);
        if (key is not null)
        {
            string keyPem = key.ExportPkcs8PrivateKeyPem() + "\n";
            WriteOwnerOnly(keyPath, keyPem);
            WriteOwnerOnly(combinedPath, certPem + keyPem);
        }

        return new TestCertificate(name, certPath, keyPath, combinedPath, X509CertificateLoader.LoadCertificate(cert.RawData));
    }

    private static void WriteOwnerOnly(string path, string text)
    {
        var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write };
        if (!OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        }

        using var stream = new FileStream(path, options);
        using var writer = new StreamWriter(stream);
        writer.Write(text);
    }
}
