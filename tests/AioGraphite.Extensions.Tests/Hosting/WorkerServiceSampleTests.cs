using System.Diagnostics;
using System.Globalization;
using AioGraphite.Extensions.Tests.Infrastructure;
using AioGraphite.TestUtilities;
using Xunit;

namespace AioGraphite.Extensions.Tests.Hosting;

/// <summary>The WorkerService sample, run as its own process with its own appsettings.json, against a real carbon.</summary>
public sealed class WorkerServiceSampleTests(SharedServers servers)
{
    [Fact]
    public async Task Sample_SendsHeartbeatsToCarbon_AndStopsCleanlyOnSigterm()
    {
        string prefix = SharedServers.UniquePrefix("worker");
        string dll = SampleDll();
        var psi = new ProcessStartInfo("dotnet")
        {
            WorkingDirectory = Path.GetDirectoryName(dll)!, // the content root: appsettings.json is read from here
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        psi.ArgumentList.Add(dll);
        // appsettings.json's "Graphite" section, overridden by environment variables as in production
        psi.Environment["Graphite__Port"] = servers.Carbon.LinePort.ToString(CultureInfo.InvariantCulture);
        psi.Environment["Graphite__MetricPrefix"] = prefix;
        psi.Environment["DOTNET_ENVIRONMENT"] = "Production";

        using var process = Process.Start(psi)!;
        Task<string> stdout = process.StandardOutput.ReadToEndAsync(TestContext.Current.CancellationToken);
        Task<string> stderr = process.StandardError.ReadToEndAsync(TestContext.Current.CancellationToken);
        try
        {
            var points = await servers.Carbon.WaitForPointsAsync(prefix + ".worker.heartbeat", 2, TimeSpan.FromSeconds(20));
            Assert.Equal(points.Select(p => p.Value).Order(), points.Select(p => p.Value));

            using (Process kill = Process.Start("kill", ["-TERM", process.Id.ToString(CultureInfo.InvariantCulture)]))
            {
                await kill.WaitForExitAsync(TestContext.Current.CancellationToken);
            }

            using var exited = new CancellationTokenSource(TimeSpan.FromSeconds(15));
            await process.WaitForExitAsync(exited.Token);
            Assert.True(process.ExitCode == 0, $"exit code {process.ExitCode}\n{await stdout}\n{await stderr}");
            Assert.Contains("Application is shutting down", await stdout, StringComparison.Ordinal);
        }
        finally
        {
            if (!process.HasExited)
            {
                process.Kill();
            }
        }
    }

    private static string SampleDll()
    {
        var output = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd('/')); // tests/.../bin/<Configuration>/<tfm>
        string configuration = output.Parent!.Name;
        string tfm = output.Name;
        string dll = Path.Combine(RepositoryRoot.Find(), "samples", "WorkerService", "bin", configuration, tfm, "WorkerService.dll");
        Assert.True(File.Exists(dll), $"{dll} not built");
        return dll;
    }
}
