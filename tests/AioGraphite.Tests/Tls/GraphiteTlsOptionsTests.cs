using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using AioGraphite.TestUtilities.Tls;
using AioGraphite.Transport;
using Xunit;

namespace AioGraphite.Tests.Tls;

/// <summary>GraphiteTlsOptions: defaults, and every invalid combination refused with a message naming the setting.</summary>
public sealed class GraphiteTlsOptionsTests
{
    [Fact]
    public void Defaults_VerifyAgainstTheSystemStoreAndTheHostConnectedTo()
    {
        var options = new GraphiteTlsOptions();
        Assert.Null(options.TargetHost);
        Assert.Null(options.CaBundlePath);
        Assert.Null(options.PinnedSha256);
        Assert.Null(options.ClientCertificatePath);
        Assert.Null(options.ClientKeyPath);
        Assert.Null(options.ClientCertificate);
        Assert.Null(options.RemoteCertificateValidationCallback);
        Assert.False(options.InsecureSkipVerify);
        options.Validate();
        Assert.Null(GraphiteClientOptions.Default.Tls);
    }

    public static TheoryData<string, string> Invalid() => new()
    {
        { "TargetHost", "empty-target" },
        { "TargetHost", "space-target" },
        { "CaBundlePath", "empty-ca" },
        { "ClientCertificatePath", "empty-cert" },
        { "ClientKeyPath", "key-without-cert" },
        { "PinnedSha256", "bad-pin" },
        { "PinnedSha256", "short-pin" },
        { "InsecureSkipVerify", "insecure-with-ca" },
        { "InsecureSkipVerify", "insecure-with-pin" },
        { "InsecureSkipVerify", "insecure-with-callback" },
        { "ClientCertificate", "certificate-and-path" },
        { "ClientCertificate", "certificate-without-key" },
    };

    [Theory]
    [MemberData(nameof(Invalid))]
    public void Validate_NamesTheBadSetting(string property, string name)
    {
        using X509Certificate2 publicOnly = PublicOnlyCertificate();
        GraphiteTlsOptions options = name switch
        {
            "empty-target" => new() { TargetHost = string.Empty },
            "space-target" => new() { TargetHost = "carbon example" },
            "empty-ca" => new() { CaBundlePath = " " },
            "empty-cert" => new() { ClientCertificatePath = string.Empty },
            "key-without-cert" => new() { ClientKeyPath = "/etc/client.key" },
            "bad-pin" => new() { PinnedSha256 = ["not a hash"] },
            "short-pin" => new() { PinnedSha256 = ["abcd"] },
            "insecure-with-ca" => new() { InsecureSkipVerify = true, CaBundlePath = "/etc/ca.pem" },
            "insecure-with-pin" => new() { InsecureSkipVerify = true, PinnedSha256 = [new string('a', 64)] },
#pragma warning disable CA5359 // a callback that accepts anything, refused by Validate: the point of the test
            "insecure-with-callback" => new() { InsecureSkipVerify = true, RemoteCertificateValidationCallback = (_, _, _, _) => true },
#pragma warning restore CA5359
            "certificate-and-path" => new() { ClientCertificate = publicOnly, ClientCertificatePath = "/etc/client.pem" },
            "certificate-without-key" => new() { ClientCertificate = publicOnly },
            _ => throw new ArgumentOutOfRangeException(nameof(name)),
        };

        ArgumentException alone = Assert.ThrowsAny<ArgumentException>(options.Validate);
        Assert.Equal(property, alone.ParamName);
        Assert.StartsWith(property, alone.Message, StringComparison.Ordinal);

        // Within the client's options the setting is named from there: Tls.X.
        ArgumentException within = Assert.ThrowsAny<ArgumentException>(new GraphiteClientOptions { Tls = options }.Validate);
        Assert.Equal("Tls." + property, within.ParamName);
        Assert.StartsWith("Tls." + property, within.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void TlsOverUdp_IsRefused()
    {
        var options = new GraphiteClientOptions { Transport = GraphiteTransport.Udp, Tls = new GraphiteTlsOptions() };
        ArgumentException ex = Assert.Throws<ArgumentException>(options.Validate);
        Assert.Equal("Tls", ex.ParamName);
        Assert.Contains("TCP", ex.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("sha256//4hg4MgmOLVeswDyc7iTqo2tx8ey6UHAAlI1I9ub06mU=")]
    [InlineData("4hg4MgmOLVeswDyc7iTqo2tx8ey6UHAAlI1I9ub06mU=")]
    [InlineData("E2:18:38:32:09:8E:2D:57:AC:C0:3C:9C:EE:24:EA:A3:6B:71:F1:EC:BA:50:70:00:94:8D:48:F6:E6:F4:EA:65")]
    [InlineData("e21838320 98e2d57acc03c9cee24eaa36b71f1ecba507000948d48f6e6f4ea65")]
    public void Pins_AcceptHexBase64AndCurlsPrefix(string pin)
    {
        Assert.True(TlsPins.TryParse(pin, out byte[]? hash));
        Assert.Equal(Convert.FromBase64String("4hg4MgmOLVeswDyc7iTqo2tx8ey6UHAAlI1I9ub06mU="), hash);
        new GraphiteTlsOptions { PinnedSha256 = [pin] }.Validate();
    }

    [Fact]
    public void Pins_MatchThePublicKeyOrTheWholeCertificate()
    {
        using TestCertificates certs = TestCertificates.Create();
        Assert.True(TlsPins.From([certs.Server.PublicKeySha256])!.Matches(certs.Server.Certificate, out _));
        Assert.True(TlsPins.From([certs.Server.CertificateFingerprint])!.Matches(certs.Server.Certificate, out _));
        Assert.False(TlsPins.From([certs.Client.PublicKeySha256, certs.Client.CertificateFingerprint])!.Matches(certs.Server.Certificate, out string publicKeyPin));
        Assert.Equal("sha256//" + certs.Server.PublicKeySha256, publicKeyPin); // what to pin, for the error message
        Assert.Null(TlsPins.From([]));
    }

    [Fact]
    public void ToString_NamesFilesNeverKeys()
    {
        using TestCertificates certs = TestCertificates.Create();
        using X509Certificate2 client = certs.Client.LoadWithKey();
        string text = new GraphiteClientOptions { Tls = new GraphiteTlsOptions { ClientCertificate = client, ClientKeyPath = null } }.ToString()
            + new GraphiteTlsOptions { ClientCertificatePath = certs.Client.CertificatePath, ClientKeyPath = certs.Client.KeyPath }.ToString();
        Assert.Contains(certs.Client.KeyPath, text, StringComparison.Ordinal);
        Assert.DoesNotContain("PRIVATE KEY", text, StringComparison.Ordinal);
        Assert.DoesNotContain(File.ReadAllText(certs.Client.KeyPath).Split('\n')[1], text, StringComparison.Ordinal);
    }

    private static X509Certificate2 PublicOnlyCertificate()
    {
        using ECDsa key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        using X509Certificate2 withKey = new CertificateRequest("CN=test", key, HashAlgorithmName.SHA256).CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(1));
        return X509CertificateLoader.LoadCertificate(withKey.RawData);
    }
}
