using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace AioGraphite.TestUtilities.Tls;

/// <summary>One certificate made by <see cref="TestCertificates"/>, written as PEM files (the key owner-only).</summary>
/// <param name="Name">A short name, also the files' base name.</param>
/// <param name="CertificatePath">The certificate (PEM).</param>
/// <param name="KeyPath">Its private key (PKCS#8 PEM, mode 0600).</param>
/// <param name="CombinedPath">Certificate followed by key, as carbon-c-relay's <c>ssl</c> listener wants it (mode 0600).</param>
/// <param name="Certificate">The certificate (public part only).</param>
public sealed record TestCertificate(string Name, string CertificatePath, string KeyPath, string CombinedPath, X509Certificate2 Certificate)
{
    /// <summary>SHA-256 of the certificate's SubjectPublicKeyInfo, base64 (a <c>PinnedSha256</c> entry).</summary>
    public string PublicKeySha256 => Convert.ToBase64String(SHA256.HashData(Certificate.PublicKey.ExportSubjectPublicKeyInfo()));

    /// <summary>SHA-256 of the whole certificate in hex with colons, as <c>openssl x509 -fingerprint -sha256</c> prints it.</summary>
    public string CertificateFingerprint => string.Join(':', SHA256.HashData(Certificate.RawData).Select(b => b.ToString("X2", System.Globalization.CultureInfo.InvariantCulture)));

    /// <summary>The certificate with its private key, loaded from the files.</summary>
    /// <returns>A new certificate object; dispose it.</returns>
    public X509Certificate2 LoadWithKey() => X509Certificate2.CreateFromPemFile(CertificatePath, KeyPath);
}
