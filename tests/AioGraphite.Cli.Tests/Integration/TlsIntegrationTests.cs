using System.Globalization;
using AioGraphite.Cli.Tests.Native;
using Xunit;

namespace AioGraphite.Cli.Tests.Integration;

/// <summary>
/// <c>--tls</c>, <c>--tls-ca</c>, <c>--tls-cert</c>, <c>--tls-key</c>, <c>--tls-insecure</c> on <c>send</c> and <c>pipe</c>,
/// through a real stunnel to the real carbon-cache; every failure is one line and exit code 2.
/// </summary>
public sealed class TlsIntegrationTests(CarbonFixture carbon, TlsTerminatorFixture tls) : IClassFixture<TlsTerminatorFixture>
{
    private string Ca => tls.Certificates.Ca.CertificatePath;

    private string[] ClientCertificate => ["--tls-cert", tls.Certificates.Client.CertificatePath, "--tls-key", tls.Certificates.Client.KeyPath];

    [Fact]
    public async Task Send_Tls_StoresThePoint()
    {
        long timestamp = CarbonFixture.Now() - 30;
        CliResult result = await CliRun.RunAsync(["send", "test.cli.tls.send", "42.125", Text(timestamp), "--port", Text(tls.Stunnel.Port("tls")), "--tls", "--tls-ca", Ca]);
        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Empty(result.Error);
        Assert.Equal([(timestamp, 42.125)], await carbon.Server.WaitForPointsAsync("test.cli.tls.send", 1, CarbonFixture.StoreTimeout));
    }

    [Fact]
    public async Task Send_MutualTls_Pickle_StoresThePoint_AndTlsOptionsImplyTls()
    {
        long timestamp = CarbonFixture.Now() - 30;
        CliResult result = await CliRun.RunAsync(["send", "test.cli.tls.mutual", "-0.5", Text(timestamp), "--protocol", "pickle", "--port", Text(tls.Stunnel.Port("mtls")), "--tls-ca", Ca, .. ClientCertificate]);
        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Equal([(timestamp, -0.5)], await carbon.Server.WaitForPointsAsync("test.cli.tls.mutual", 1, CarbonFixture.StoreTimeout));
    }

    [Fact]
    public async Task Pipe_MutualTls_DeliversEveryLine()
    {
        long start = CarbonFixture.Now() - 100;
        string input = string.Concat(Enumerable.Range(0, 50).Select(i => $"test.cli.tls.pipe {i} {start + i}\n"));
        CliResult result = await CliRun.RunAsync(["pipe", "--protocol", "pickle", "--port", Text(tls.Stunnel.Port("mtls")), "--tls", "--tls-ca", Ca, .. ClientCertificate], input);
        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Contains("50 points delivered", result.Error, StringComparison.Ordinal);
        Assert.Equal(50, (await carbon.Server.WaitForPointsAsync("test.cli.tls.pipe", 50, CarbonFixture.StoreTimeout)).Count);
    }

    [Fact]
    public async Task Send_Insecure_ConnectsToAnUntrustedServer_AndWarnsLoudly()
    {
        long timestamp = CarbonFixture.Now() - 30;
        CliResult result = await CliRun.RunAsync(["send", "test.cli.tls.insecure", "1", Text(timestamp), "--port", Text(tls.Stunnel.Port("untrusted")), "--tls-insecure"]);
        Assert.True(result.ExitCode == 0, result.ToString());
        string warning = result.SingleErrorLine();
        Assert.StartsWith("aiographite send: WARNING: --tls-insecure", warning, StringComparison.Ordinal);
        Assert.Contains("NOT verified", warning, StringComparison.Ordinal);
        Assert.Equal([(timestamp, 1.0)], await carbon.Server.WaitForPointsAsync("test.cli.tls.insecure", 1, CarbonFixture.StoreTimeout));
    }

    [Theory]
    [InlineData("send", "untrusted", false, "not trusted")]
    [InlineData("send", "mtls", false, "requires a client certificate")]
    [InlineData("send", "tls-to-plaintext-port", false, "does not speak TLS")]
    [InlineData("pipe", "untrusted", false, "not trusted")]
    [InlineData("pipe", "mtls", false, "requires a client certificate")]
    public async Task RefusedConnections_OneLineExitTwo(string command, string service, bool withClientCertificate, string reason)
    {
        int port = service == "tls-to-plaintext-port" ? carbon.Server.LinePort : tls.Stunnel.Port(service);
        string[] args = command == "send"
            ? ["send", "test.cli.tls.refused", "1", "--port", Text(port), "--tls", "--tls-ca", Ca, "--timeout", "5"]
            : ["pipe", "--port", Text(port), "--tls", "--tls-ca", Ca, "--timeout", "30"];
        if (withClientCertificate)
        {
            args = [.. args, .. ClientCertificate];
        }

        CliResult result = await CliRun.RunAsync(args, "test.cli.tls.refused 1\n");
        Assert.True(result.ExitCode == 2, result.ToString());
        string line = result.SingleErrorLine();
        Assert.StartsWith($"aiographite {command}: TLS connection to Graphite at 127.0.0.1:{port} failed: ", line, StringComparison.Ordinal);
        Assert.Contains(reason, line, StringComparison.Ordinal);
        Assert.True(result.Elapsed < TimeSpan.FromSeconds(20), $"a refused TLS connection fails at once, not after --timeout: {result}");
        Assert.DoesNotContain("PRIVATE KEY", result.Error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(new[] { "--tls", "--protocol", "udp" }, "--tls needs TCP")]
    [InlineData(new[] { "--tls-key", "/etc/hostname" }, "--tls-key is set without --tls-cert: a key needs its certificate.")]
    [InlineData(new[] { "--tls-ca", "/nonexistent/ca.pem" }, "--tls-ca '/nonexistent/ca.pem' cannot be read")]
    [InlineData(new[] { "--tls-insecure", "--tls-ca", "/etc/hostname" }, "--tls-insecure turns off every check of the server certificate, so --tls-ca would be ignored: use one or the other.")]
    public async Task TlsUsageErrors_OneLineExitTwo(string[] options, string expected)
    {
        CliResult result = await CliRun.RunAsync(["send", "a.b", "1", "--port", "1", .. options]);
        Assert.True(result.ExitCode == 2, result.ToString());
        Assert.Contains(expected, result.SingleErrorLine(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task NativeBinary_SendsOverMutualTls_AndRefusesAnUntrustedServer()
    {
        long timestamp = CarbonFixture.Now() - 30;
        CliResult sent = await NativeCli.RunAsync(["send", "test.native.tls", "7.5", Text(timestamp), "--protocol", "pickle", "--port", Text(tls.Stunnel.Port("mtls")), "--tls-ca", Ca, .. ClientCertificate]);
        Assert.True(sent.ExitCode == 0, sent.ToString());
        Assert.Equal([(timestamp, 7.5)], await carbon.Server.WaitForPointsAsync("test.native.tls", 1, CarbonFixture.StoreTimeout));

        CliResult refused = await NativeCli.RunAsync(["send", "test.native.tls", "1", "--port", Text(tls.Stunnel.Port("untrusted")), "--tls-ca", Ca]);
        Assert.True(refused.ExitCode == 2, refused.ToString());
        Assert.Contains("not trusted", refused.SingleErrorLine(), StringComparison.Ordinal);
    }

    private static string Text(long value) => value.ToString(CultureInfo.InvariantCulture);
}
