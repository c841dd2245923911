using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace AioGraphite.Transport;

/// <summary>
/// <see cref="GraphiteTlsOptions.PinnedSha256"/>: parses the pins and checks a server certificate against them (the
/// SHA-256 of its SubjectPublicKeyInfo or of the whole DER certificate).
/// </summary>
internal sealed class TlsPins
{
    private const int HashBytes = 32;
    private readonly List<byte[]> _hashes;

    private TlsPins(List<byte[]> hashes) => _hashes = hashes;

    /// <summary>The pins of the options, or <see langword="null"/> when there are none (the options were validated).</summary>
    public static TlsPins? From(IReadOnlyList<string>? pins)
    {
        if (pins is not { Count: > 0 })
        {
            return null;
        }

        var hashes = new List<byte[]>(pins.Count);
        foreach (string pin in pins)
        {
            hashes.Add(TryParse(pin, out byte[]? hash) ? hash : throw new ArgumentException($"Invalid pin '{pin}'.", nameof(pins)));
        }

        return new TlsPins(hashes);
    }

    /// <summary>Parses one pin: 64 hex digits (colons or spaces allowed) or base64 of 32 bytes, optionally after <c>sha256//</c>.</summary>
    public static bool TryParse(string? text, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out byte[]? hash)
    {
        hash = null;
        if (string.IsNullOrWhiteSpace(text))
        {
            return false;
        }

        string s = text.Trim();
        if (s.StartsWith("sha256//", StringComparison.OrdinalIgnoreCase))
        {
            s = s[8..];
        }

        string hex = s.Replace(":", string.Empty, StringComparison.Ordinal).Replace(" ", string.Empty, StringComparison.Ordinal);
        if (hex.Length == HashBytes * 2 && hex.All(Uri.IsHexDigit))
        {
            hash = Convert.FromHexString(hex);
            return true;
        }

        Span<byte> decoded = stackalloc byte[HashBytes + 3];
        if (Convert.TryFromBase64String(s, decoded, out int written) && written == HashBytes)
        {
            hash = decoded[..HashBytes].ToArray();
            return true;
        }

        return false;
    }

    /// <summary>
    /// Whether the certificate's public key or the certificate itself has one of the pinned hashes; when not,
    /// <paramref name="publicKeyPin"/> is the public key's pin (<c>sha256//</c> and base64), for the error message.
    /// </summary>
    public bool Matches(X509Certificate certificate, out string publicKeyPin)
    {
        using X509Certificate2 cert = X509CertificateLoader.LoadCertificate(certificate.GetRawCertData());
        byte[] key = SHA256.HashData(cert.PublicKey.ExportSubjectPublicKeyInfo());
        byte[] whole = SHA256.HashData(cert.RawData);
        publicKeyPin = string.Empty;
        foreach (byte[] pin in _hashes)
        {
            if (CryptographicOperations.FixedTimeEquals(pin, key) || CryptographicOperations.FixedTimeEquals(pin, whole))
            {
                return true;
            }
        }

        publicKeyPin = "sha256//" + Convert.ToBase64String(key);
        return false;
    }
}
