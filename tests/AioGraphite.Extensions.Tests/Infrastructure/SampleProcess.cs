using System.Diagnostics;
using System.Globalization;
using AioGraphite.TestUtilities;
using Xunit;

namespace AioGraphite.Extensions.Tests.Infrastructure;

/// <summary>
/// A sample application run as its own process from its build output (its appsettings.json read from there, as in
/// production), with settings overridden by environment variables; stopped with SIGTERM.
/// </summary>
public sealed class SampleProcess : IDisposable
{
    private readonly Process _process;
    private readonly Task<string> _stdout;
    private readonly Task<string> _stderr;

    private SampleProcess(Process process)
    {
        _process = process;
        _stdout = process.StandardOutput.ReadToEndAsync(TestContext.Current.CancellationToken);
        _stderr = process.StandardError.ReadToEndAsync(TestContext.Current.CancellationToken);
    }

    /// <summary>Starts samples/<paramref name="sample"/> (as built for this test run's configuration) with <paramref name="environment"/>.</summary>
    public static SampleProcess Start(string sample, IReadOnlyDictionary<string, string> environment)
    {
        string dll = Dll(sample);
        var psi = new ProcessStartInfo("dotnet")
        {
            WorkingDirectory = Path.GetDirectoryName(dll)!, // the content root: appsettings.json is read from here
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        psi.ArgumentList.Add(dll);
        psi.Environment["DOTNET_ENVIRONMENT"] = "Production";
        psi.Environment["ASPNETCORE_ENVIRONMENT"] = "Production";
        foreach ((string key, string value) in environment)
        {
            psi.Environment[key] = value;
        }

        return new SampleProcess(Process.Start(psi)!);
    }

    /// <summary>Sends SIGTERM and waits for the exit; returns the exit code, standard output and standard error.</summary>
    public async Task<(int ExitCode, string Output, string Error)> StopAsync()
    {
        using (Process kill = Process.Start("kill", ["-TERM", _process.Id.ToString(CultureInfo.InvariantCulture)]))
        {
            await kill.WaitForExitAsync(TestContext.Current.CancellationToken);
        }

        using var exited = new CancellationTokenSource(TimeSpan.FromSeconds(15));
        await _process.WaitForExitAsync(exited.Token);
        return (_process.ExitCode, await _stdout, await _stderr);
    }

    /// <summary>Kills the process if it still runs.</summary>
    public void Dispose()
    {
        if (!_process.HasExited)
        {
            _process.Kill();
        }

        _process.Dispose();
    }

    private static string Dll(string sample)
    {
        var output = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd('/')); // tests/.../bin/<Configuration>/<tfm>
        string configuration = output.Parent!.Name;
        string tfm = output.Name;
        string dll = Path.Combine(RepositoryRoot.Find(), "samples", sample, "bin", configuration, tfm, sample + ".dll");
        Assert.True(File.Exists(dll), $"{dll} not built");
        return dll;
    }
}
