using System.Globalization;
using AioGraphite.Extensions.Tests.Infrastructure;
using Xunit;

namespace AioGraphite.Extensions.Tests.Hosting;

/// <summary>The WorkerService sample, run as its own process with its own appsettings.json, against a real carbon.</summary>
public sealed class WorkerServiceSampleTests(SharedServers servers)
{
    [Fact]
    public async Task Sample_SendsHeartbeatsToCarbon_AndStopsCleanlyOnSigterm()
    {
        string prefix = SharedServers.UniquePrefix("worker");
        // appsettings.json's "Graphite" section, overridden by environment variables as in production
        using var sample = SampleProcess.Start("WorkerService", new Dictionary<string, string>
        {
            ["Graphite__Port"] = servers.Carbon.LinePort.ToString(CultureInfo.InvariantCulture),
            ["Graphite__MetricPrefix"] = prefix,
        });

        var points = await servers.Carbon.WaitForPointsAsync(prefix + ".worker.heartbeat", 2, TimeSpan.FromSeconds(20));
        Assert.Equal(points.Select(p => p.Value).Order(), points.Select(p => p.Value));

        (int exitCode, string stdout, string stderr) = await sample.StopAsync();
        Assert.True(exitCode == 0, $"exit code {exitCode}\n{stdout}\n{stderr}");
        Assert.Contains("Application is shutting down", stdout, StringComparison.Ordinal);
    }
}
