using AioGraphite.Extensions.Hosting;
using AioGraphite.TestUtilities;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using Xunit;

namespace AioGraphite.Extensions.Tests.Hosting;

/// <summary>
/// <c>Graphite:Spool:*</c>: bound, validated naming the key, a spool that cannot be created stops the start-up naming the
/// path, and points a hosted application could not deliver before it stopped are delivered by its next start.
/// </summary>
public sealed class AddGraphiteSpoolTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("aiographite-hosted-spool-").FullName;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public void GraphiteSpool_BindsEverySetting()
    {
        string spool = Path.Combine(_dir, "spool");
        using IHost host = TestHosts.WithGraphite($$"""
            { "Host": "127.0.0.1", "Spool": { "Directory": "{{spool}}", "MaxBytes": 10485760, "FileBytes": 1048576, "SyncInterval": "00:00:00", "LockTimeout": "00:00:02.5" } }
            """).Build();
        GraphiteClientOptions o = host.Services.GetRequiredService<GraphiteClient>().Options;
        Assert.Equal(spool, o.SpoolDirectory);
        Assert.Equal(10L << 20, o.SpoolMaxBytes);
        Assert.Equal(1L << 20, o.SpoolFileBytes);
        Assert.Equal(TimeSpan.Zero, o.SpoolSyncInterval);
        Assert.Equal(TimeSpan.FromSeconds(2.5), o.SpoolLockTimeout);
    }

    [Fact]
    public void WithoutASpoolSection_TheClientKeepsPointsInMemory_WithTheLibraryDefaults()
    {
        using IHost host = TestHosts.WithGraphite("""{ "Host": "127.0.0.1" }""").Build();
        GraphiteClientOptions o = host.Services.GetRequiredService<GraphiteClient>().Options;
        Assert.Null(o.SpoolDirectory);
        Assert.Equal(GraphiteClientOptions.Default.SpoolMaxBytes, o.SpoolMaxBytes);
        Assert.Equal(GraphiteClientOptions.Default.SpoolSyncInterval, o.SpoolSyncInterval);
        Assert.Equal(TimeSpan.FromSeconds(15), o.SpoolLockTimeout);
    }

    [Theory]
    [InlineData("""{ "MaxBytes": 1024 }""", "Graphite:Spool:Directory is not set but other Graphite:Spool settings are given")]
    [InlineData("""{ "Directory": "DIR", "MaxBytes": 1024 }""", "Graphite:Spool:MaxBytes is invalid")]
    [InlineData("""{ "Directory": "DIR", "FileBytes": 100 }""", "Graphite:Spool:FileBytes is invalid")]
    [InlineData("""{ "Directory": "DIR", "SyncInterval": "-00:00:01" }""", "Graphite:Spool:SyncInterval is invalid")]
    [InlineData("""{ "Directory": "DIR", "LockTimeout": "-00:00:01" }""", "Graphite:Spool:LockTimeout is invalid")]
    [InlineData("""{ "LockTimeout": "00:00:01" }""", "Graphite:Spool:Directory is not set but other Graphite:Spool settings are given")]
    [InlineData("""{ "Directory": "  " }""", "Graphite:Spool:Directory is invalid: SpoolDirectory is empty")]
    public async Task StartAsync_WithABadSpoolSetting_FailsNamingTheKey(string spool, string expected)
    {
        using IHost host = TestHosts.WithGraphite($$"""{ "Host": "127.0.0.1", "Spool": {{spool.Replace("DIR", Path.Combine(_dir, "s"), StringComparison.Ordinal)}} }""").Build();
        var ex = await Assert.ThrowsAsync<OptionsValidationException>(() => host.StartAsync(Ct));
        Assert.Contains(expected, ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task StartAsync_OnASpoolThatCannotBeCreated_FailsNamingThePath()
    {
        string file = Path.Combine(_dir, "a-file");
        await File.WriteAllTextAsync(file, "not a directory", Ct);
        string spool = Path.Combine(file, "spool");
        using IHost host = TestHosts.WithGraphite($$"""{ "Host": "127.0.0.1", "Spool": { "Directory": "{{spool}}" } }""").Build();

        var ex = await Assert.ThrowsAnyAsync<Exception>(() => host.StartAsync(Ct));
        GraphiteException graphite = Assert.IsType<GraphiteException>(ex is GraphiteException ? ex : ex.InnerException, exactMatch: false);
        Assert.Contains(spool, graphite.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task PointsLeftInTheSpoolWhileCarbonWasDown_AreDeliveredByTheNextStart()
    {
        await using CarbonCacheServer carbon = await CarbonCacheServer.StartAsync();
        await carbon.StopAsync();
        string spool = Path.Combine(_dir, "spool");
        string section = $$"""
            { "Host": "127.0.0.1", "Port": {{carbon.LinePort}}, "BatchInterval": "00:00:00.050", "DrainTimeout": "00:00:01",
              "MetricPrefix": "hosted_spool", "Spool": { "Directory": "{{spool}}" } }
            """;
        long now = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        const int Points = 300;

        IHost first = TestHosts.WithGraphite(section).Build();
        await first.StartAsync(Ct);
        GraphiteClient client = first.Services.GetRequiredService<GraphiteClient>();
        for (int i = 0; i < Points; i++)
        {
            await client.SendAsync("kept", i, now - Points + i, Ct);
        }

        await Poll.UntilAsync(() => client.Statistics.Spool.PointsSpooled == Points, TimeSpan.FromSeconds(10), () => $"every point spooled: {client.Statistics.Spool}");
        await first.StopAsync(Ct);
        await TestHosts.DisposeAsync(first); // closes the client, which gives up after its 1 s drain timeout
        Assert.Equal(0, client.Statistics.PointsDelivered);
        Assert.Equal(Points, client.Statistics.PointsUndelivered);

        Assert.NotEmpty(Directory.EnumerateFiles(spool, "*", SearchOption.AllDirectories));
        await carbon.StartAgainAsync();

        IHost second = TestHosts.WithGraphite(section).Build();
        await second.StartAsync(Ct);
        GraphiteClient next = second.Services.GetRequiredService<GraphiteClient>();
        await next.WaitForDeliveryAsync(Ct).WaitAsync(TimeSpan.FromSeconds(30), Ct);
        await second.StopAsync(Ct);
        await TestHosts.DisposeAsync(second); // closes the client, which removes the emptied spool's directory

        Assert.Equal(Points, next.Statistics.Spool.PointsRecovered);
        IReadOnlyList<(long Timestamp, double Value)> stored = await carbon.WaitForPointsAsync("hosted_spool.kept", Points, TimeSpan.FromSeconds(30));
        Assert.Equal(Enumerable.Range(0, Points).Select(i => (now - Points + i, (double)i)), stored);
        Assert.False(Directory.Exists(Path.Combine(spool, "127.0.0.1_tcp_" + carbon.LinePort + "_plaintext")), "the emptied spool's directory is removed at close");
    }
}
