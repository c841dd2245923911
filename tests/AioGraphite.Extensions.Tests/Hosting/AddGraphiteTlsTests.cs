using AioGraphite.Extensions.Hosting;
using AioGraphite.Extensions.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using Xunit;

namespace AioGraphite.Extensions.Tests.Hosting;

/// <summary><c>Graphite:Tls:*</c>: bound, validated naming the key, and points delivered through stunnel (mutual TLS) to a real carbon.</summary>
public sealed class AddGraphiteTlsTests(TlsCarbon tls) : IClassFixture<TlsCarbon>
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private string Section(string metricPrefix = "tls") => $$"""
        {
          "Host": "127.0.0.1", "Port": {{tls.Port}}, "BatchInterval": "00:00:00.050", "MetricPrefix": "{{metricPrefix}}",
          "Tls": {
            "Enabled": true,
            "TargetHost": "localhost",
            "CaBundlePath": "{{tls.Certificates.Ca.CertificatePath}}",
            "PinnedSha256": [ "{{tls.Certificates.Server.PublicKeySha256}}" ],
            "ClientCertificatePath": "{{tls.Certificates.Client.CertificatePath}}",
            "ClientKeyPath": "{{tls.Certificates.Client.KeyPath}}"
          }
        }
        """;

    [Fact]
    public void GraphiteTls_BindsEverySetting()
    {
        using IHost host = TestHosts.WithGraphite(Section()).Build();
        GraphiteTlsOptions? o = host.Services.GetRequiredService<GraphiteClient>().Options.Tls;
        Assert.NotNull(o);
        Assert.Equal("localhost", o.TargetHost);
        Assert.Equal(tls.Certificates.Ca.CertificatePath, o.CaBundlePath);
        Assert.Equal([tls.Certificates.Server.PublicKeySha256], o.PinnedSha256);
        Assert.Equal(tls.Certificates.Client.CertificatePath, o.ClientCertificatePath);
        Assert.Equal(tls.Certificates.Client.KeyPath, o.ClientKeyPath);
        Assert.False(o.InsecureSkipVerify);
    }

    [Fact]
    public void WithoutATlsSection_TheClientIsPlaintext()
    {
        using IHost host = TestHosts.WithGraphite("""{ "Host": "127.0.0.1" }""").Build();
        Assert.Null(host.Services.GetRequiredService<GraphiteClient>().Options.Tls);
        Assert.Null(host.Services.GetRequiredService<IOptions<GraphiteOptions>>().Value.Tls.ToTlsOptions());
    }

    [Theory]
    [InlineData("""{ "Host": "127.0.0.1", "Tls": { "CaBundlePath": "/etc/ca.pem" } }""", "Graphite:Tls:Enabled is not true but other Graphite:Tls settings are given")]
    [InlineData("""{ "Host": "127.0.0.1", "Tls": { "Enabled": true, "ClientKeyPath": "/nonexistent/client.key" } }""", "Graphite:Tls:ClientKeyPath is invalid: Tls.ClientKeyPath is set without Tls.ClientCertificatePath")]
    [InlineData("""{ "Host": "127.0.0.1", "Tls": { "Enabled": true, "CaBundlePath": "/nonexistent/ca.pem" } }""", "Graphite:Tls:CaBundlePath '/nonexistent/ca.pem' does not exist")]
    [InlineData("""{ "Host": "127.0.0.1", "Tls": { "Enabled": true, "PinnedSha256": [ "abc" ] } }""", "Graphite:Tls:PinnedSha256 is invalid")]
    [InlineData("""{ "Host": "127.0.0.1", "Tls": { "Enabled": true, "InsecureSkipVerify": true, "PinnedSha256": [ "sha256//4hg4MgmOLVeswDyc7iTqo2tx8ey6UHAAlI1I9ub06mU=" ] } }""", "Graphite:Tls:InsecureSkipVerify is invalid")]
    [InlineData("""{ "Host": "127.0.0.1", "Transport": "Udp", "Tls": { "Enabled": true } }""", "Graphite:Tls is invalid: Tls cannot be used with GraphiteTransport.Udp")]
    public async Task StartAsync_WithABadTlsSetting_FailsNamingTheKey(string section, string expected)
    {
        using IHost host = TestHosts.WithGraphite(section).Build();
        var ex = await Assert.ThrowsAsync<OptionsValidationException>(() => host.StartAsync(Ct));
        Assert.Contains(expected, ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task PointsSentThroughTheRegisteredClient_ReachCarbonOverMutualTls()
    {
        string prefix = SharedServers.UniquePrefix("hosted_tls");
        using IHost host = TestHosts.WithGraphite(Section(prefix)).Build();
        await host.StartAsync(Ct);
        GraphiteClient client = host.Services.GetRequiredService<GraphiteClient>();
        long now = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        await client.SendAsync("requests", 42.5, now - 1, Ct);
        await client.WaitForDeliveryAsync(Ct).WaitAsync(TimeSpan.FromSeconds(20), Ct);
        await host.StopAsync(Ct);
        Assert.Equal([(now - 1, 42.5)], await tls.Carbon.WaitForPointsAsync(prefix + ".requests", 1, TimeSpan.FromSeconds(20)));
    }
}
