using System.Diagnostics.Metrics;
using AioGraphite.Extensions.Hosting;
using AioGraphite.TestUtilities;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using Xunit;

namespace AioGraphite.Extensions.Tests.Hosting;

public sealed class AddGraphiteBindingTests
{
    private const string FullSection = """
        {
          "Host": "carbon.example.com",
          "Port": 12004,
          "Protocol": "Pickle",
          "Transport": "Tcp",
          "ConnectTimeout": "00:00:03",
          "BufferCapacityBytes": 1048576,
          "FullBufferPolicy": "DropNewest",
          "FullBufferWaitTimeout": "00:00:02",
          "BatchSizeBytes": 8192,
          "BatchInterval": "00:00:00.250",
          "MaxDatagramBytes": 1000,
          "ReconnectInitialDelay": "00:00:00.050",
          "ReconnectMaxDelay": "00:00:04",
          "ReplayEnabled": false,
          "ReplayWindow": "00:00:07",
          "ReplayWindowBytes": 65536,
          "DrainTimeout": "00:00:01.500",
          "MetricPrefix": "apps.shop",
          "DefaultTags": { "env": "prod", "dc": "eu-1" }
        }
        """;

    [Fact]
    public void AddGraphite_FromAppsettingsJson_BindsEverySetting()
    {
        using IHost host = TestHosts.WithGraphite(FullSection).Build();

        GraphiteOptions options = host.Services.GetRequiredService<IOptions<GraphiteOptions>>().Value;
        Assert.Equal("carbon.example.com", options.Host);
        Assert.Equal(12004, options.Port);
        Assert.Equal("Pickle", options.Protocol);

        GraphiteClient client = host.Services.GetRequiredService<GraphiteClient>();
        Assert.Equal("carbon.example.com", client.Host);
        Assert.Equal(12004, client.Port);
        Assert.IsType<PickleProtocol>(client.Protocol);
        GraphiteClientOptions o = client.Options;
        Assert.True(o.LazyConnect);
        Assert.Equal(GraphiteTransport.Tcp, o.Transport);
        Assert.Equal(TimeSpan.FromSeconds(3), o.ConnectTimeout);
        Assert.Equal(1048576, o.BufferCapacityBytes);
        Assert.Equal(FullBufferPolicy.DropNewest, o.FullBufferPolicy);
        Assert.Equal(TimeSpan.FromSeconds(2), o.FullBufferWaitTimeout);
        Assert.Equal(8192, o.BatchSizeBytes);
        Assert.Equal(TimeSpan.FromMilliseconds(250), o.BatchInterval);
        Assert.Equal(1000, o.MaxDatagramBytes);
        Assert.Equal(TimeSpan.FromMilliseconds(50), o.ReconnectInitialDelay);
        Assert.Equal(TimeSpan.FromSeconds(4), o.ReconnectMaxDelay);
        Assert.False(o.ReplayEnabled);
        Assert.Equal(TimeSpan.FromSeconds(7), o.ReplayWindow);
        Assert.Equal(65536, o.ReplayWindowBytes);
        Assert.Equal(TimeSpan.FromSeconds(1.5), o.DrainTimeout);
        Assert.Equal("apps.shop", o.MetricPrefix);
        Assert.Equal(new Dictionary<string, string> { ["env"] = "prod", ["dc"] = "eu-1" }, o.DefaultTags);
    }

    [Fact]
    public void AddGraphite_WithOnlyHost_UsesTheClientDefaults()
    {
        using IHost host = TestHosts.WithGraphite("""{ "Host": "127.0.0.1" }""").Build();

        GraphiteClient client = host.Services.GetRequiredService<GraphiteClient>();
        Assert.Equal(2003, client.Port);
        Assert.IsType<PlaintextProtocol>(client.Protocol);
        Assert.Equal(GraphiteClientOptions.Default with { LazyConnect = true, LoggerFactory = client.Options.LoggerFactory, MeterFactory = client.Options.MeterFactory }, client.Options);
    }

    [Theory]
    [InlineData("plaintext", 2003)]
    [InlineData("PICKLE", 2004)]
    public void Port_WhenLeftOut_IsTheProtocolsDefault(string protocol, int expectedPort)
    {
        using IHost host = TestHosts.WithGraphite($$"""{ "Host": "127.0.0.1", "Protocol": "{{protocol}}" }""").Build();

        Assert.Equal(expectedPort, host.Services.GetRequiredService<GraphiteClient>().Port);
    }

    [Fact]
    public async Task AddGraphite_WithAction_ConfiguresTheClient()
    {
        var services = new ServiceCollection().AddLogging();
        services.AddGraphite(o =>
        {
            o.Host = "10.0.0.7";
            o.MetricPrefix = "coded";
            o.DefaultTags["host"] = "web1";
        });
        // GraphiteClient is IAsyncDisposable only: a container holding it must be disposed asynchronously.
        await using ServiceProvider provider = services.BuildServiceProvider();

        GraphiteClient client = provider.GetRequiredService<GraphiteClient>();
        Assert.Equal("10.0.0.7", client.Host);
        Assert.Equal("coded", client.Options.MetricPrefix);
        Assert.Equal("web1", client.Options.DefaultTags!["host"]);
    }

    [Fact]
    public async Task Client_IsASingletonWiredToTheHostsLoggerFactoryMeterFactoryAndTimeProvider()
    {
        var builder = TestHosts.WithGraphite("""{ "Host": "127.0.0.1" }""");
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        builder.Services.AddSingleton<TimeProvider>(clock);
        using IHost host = builder.Build();

        GraphiteClient client = host.Services.GetRequiredService<GraphiteClient>();
        Assert.Same(client, host.Services.GetRequiredService<GraphiteClient>());
        Assert.Same(clock, client.Options.TimeProvider);
        Assert.Same(host.Services.GetRequiredService<IMeterFactory>(), client.Options.MeterFactory);
        Assert.Same(host.Services.GetRequiredService<Microsoft.Extensions.Logging.ILoggerFactory>(), client.Options.LoggerFactory);

        // The client now runs on the fake clock: its drain timeout and reconnect back-off only pass when the
        // clock is advanced, so closing it (as disposing the host does) needs the clock to move.
        Task close = client.CloseAsync();
        await Poll.UntilAsync(() => close.IsCompleted, TimeSpan.FromMinutes(1), () => "the client to close", async () =>
        {
            clock.Advance(TimeSpan.FromSeconds(1));
            await Task.Delay(5, TestContext.Current.CancellationToken);
        });
    }

    [Fact]
    public void EmptyMetricPrefix_MeansNoPrefix()
    {
        using IHost host = TestHosts.WithGraphite("""{ "Host": "127.0.0.1", "MetricPrefix": "" }""").Build();

        Assert.Null(host.Services.GetRequiredService<GraphiteClient>().Options.MetricPrefix);
    }

    [Fact]
    public void Validator_ChecksPointsWithTheRegisteredClientsPrefix()
    {
        using IHost host = TestHosts.WithGraphite(""" { "Host": "127.0.0.1", "MetricPrefix": "a.prefix.of.forty.bytes.to.tip.the.line" } """).Build();
        GraphiteDatapointValidator validator = host.Services.GetRequiredService<GraphiteDatapointValidator>();
        var point = new Datapoint("a;t=" + new string('b', 16_340), 1, 1_700_000_000); // fits a line without the prefix

        Assert.True(GraphiteDatapointValidator.Default.TryValidate(point, out _));
        Assert.False(validator.TryValidate(point, out string? reason));
        Assert.Contains("16384", reason, StringComparison.Ordinal);
        Assert.False(validator.TryValidate(new Datapoint("a b", 1), out _));
    }
}
