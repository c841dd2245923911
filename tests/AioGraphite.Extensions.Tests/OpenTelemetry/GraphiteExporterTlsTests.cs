using System.Diagnostics.Metrics;
using AioGraphite.Extensions.Tests.Infrastructure;
using AioGraphite.OpenTelemetry;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using OpenTelemetry;
using OpenTelemetry.Metrics;
using Xunit;

namespace AioGraphite.Extensions.Tests.OpenTelemetry;

/// <summary>The exporter's client over TLS: <c>ClientOptions.Tls</c> bound from configuration, and metrics through stunnel (mutual TLS) to a real carbon.</summary>
public sealed class GraphiteExporterTlsTests(TlsCarbon tls) : IClassFixture<TlsCarbon>
{
    [Fact]
    public void ClientOptionsTls_BindsFromConfiguration()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Graphite:Host"] = "carbon",
            ["Graphite:ClientOptions:Tls:TargetHost"] = "carbon.example.com",
            ["Graphite:ClientOptions:Tls:CaBundlePath"] = "/etc/graphite/ca.pem",
            ["Graphite:ClientOptions:Tls:PinnedSha256:0"] = "sha256//4hg4MgmOLVeswDyc7iTqo2tx8ey6UHAAlI1I9ub06mU=",
            ["Graphite:ClientOptions:Tls:ClientCertificatePath"] = "/etc/graphite/client.pem",
            ["Graphite:ClientOptions:Tls:ClientKeyPath"] = "/etc/graphite/client.key",
        }).Build();
        var services = new ServiceCollection().AddSingleton<IConfiguration>(configuration);
        services.AddOptions<GraphiteExporterOptions>().BindConfiguration("Graphite");
        using ServiceProvider provider = services.BuildServiceProvider();

        GraphiteTlsOptions? o = provider.GetRequiredService<IOptions<GraphiteExporterOptions>>().Value.ClientOptions.Tls;

        Assert.NotNull(o);
        Assert.Equal("carbon.example.com", o.TargetHost);
        Assert.Equal("/etc/graphite/ca.pem", o.CaBundlePath);
        Assert.Equal(["sha256//4hg4MgmOLVeswDyc7iTqo2tx8ey6UHAAlI1I9ub06mU="], o.PinnedSha256);
        Assert.Equal("/etc/graphite/client.pem", o.ClientCertificatePath);
        Assert.Equal("/etc/graphite/client.key", o.ClientKeyPath);
        Assert.Null(GraphiteClientOptions.Default.Tls);
    }

    [Fact]
    public async Task Metrics_ReachCarbonOverMutualTls()
    {
        string meterName = "tls.meter." + Guid.NewGuid().ToString("N");
        string prefix = SharedServers.UniquePrefix("otel_tls");
        using var meter = new Meter(meterName);
        using (MeterProvider provider = Sdk.CreateMeterProviderBuilder()
            .AddMeter(meterName)
            .AddGraphiteExporter(o =>
            {
                o.Host = "127.0.0.1";
                o.Port = tls.Port;
                o.ExportInterval = TimeSpan.FromHours(1);
                o.NameMapper = new GraphiteMetricNameMapper { Prefix = prefix };
                o.ClientOptions = new GraphiteClientOptions
                {
                    BatchInterval = TimeSpan.FromMilliseconds(10),
                    Tls = new GraphiteTlsOptions
                    {
                        CaBundlePath = tls.Certificates.Ca.CertificatePath,
                        ClientCertificatePath = tls.Certificates.Client.CertificatePath,
                        ClientKeyPath = tls.Certificates.Client.KeyPath,
                    },
                };
            })
            .Build())
        {
            meter.CreateCounter<long>("app.requests").Add(7);
            Assert.True(provider.ForceFlush());
        }

        // ForceFlush exports, and so does the provider's shutdown: the cumulative counter may be stored at two seconds.
        IReadOnlyList<(long Timestamp, double Value)> points = await tls.Carbon.WaitForPointsAsync(prefix + ".app.requests", 1, TimeSpan.FromSeconds(20));
        Assert.InRange(points.Count, 1, 2);
        Assert.All(points, p => Assert.Equal(7, p.Value));
    }
}
