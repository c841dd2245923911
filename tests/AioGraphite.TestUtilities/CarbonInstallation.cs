namespace AioGraphite.TestUtilities;

/// <summary>
/// Makes sure graphite-carbon, python3-whisper, carbon-c-relay and stunnel4 are installed, once per process,
/// by running the repository's <c>scripts/install-carbon.sh</c> (which exits at once when they are).
/// </summary>
internal static class CarbonInstallation
{
    public const string CarbonCache = "/usr/bin/carbon-cache";
    public const string CarbonRelay = "/usr/bin/carbon-relay";
    public const string CarbonCRelay = "/usr/bin/carbon-c-relay";
    public const string Stunnel = "/usr/bin/stunnel4";
    public const string AptCommand = "sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends graphite-carbon python3-whisper carbon-c-relay iproute2 nftables stunnel4";

    private static readonly Lazy<Task> Once = new(EnsureCoreAsync, LazyThreadSafetyMode.ExecutionAndPublication);

    /// <summary>Completes when carbon is usable; otherwise throws with what to run.</summary>
    public static Task EnsureInstalledAsync() => Once.Value;

    private static async Task EnsureCoreAsync()
    {
        var root = RepositoryRoot.TryFind();
        var script = root is null ? null : Path.Combine(root, "scripts", "install-carbon.sh");
        if (script is null || !File.Exists(script))
        {
            if (await IsInstalledAsync().ConfigureAwait(false))
            {
                return;
            }

            throw new InvalidOperationException(
                "Graphite carbon is not installed, and scripts/install-carbon.sh was not found above "
                + $"{AppContext.BaseDirectory} (no AioGraphite.slnx). Install it with:\n  {AptCommand}\nthen run the tests again.");
        }

        ProcessRunner.Result result;
        try
        {
            result = await ProcessRunner.RunAsync("/bin/bash", [script], ReadOnlyMemory<byte>.Empty, null, TimeSpan.FromMinutes(10), CancellationToken.None)
                .ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is System.ComponentModel.Win32Exception or TimeoutException)
        {
            throw new InvalidOperationException($"Could not run {script}: {ex.Message}. Install carbon with:\n  sudo {script}\nor\n  {AptCommand}", ex);
        }

        if (result.ExitCode != 0)
        {
            throw new InvalidOperationException(
                $"Graphite carbon is not installed and {script} could not install it (exit code {result.ExitCode}):\n"
                + $"{result.StandardError.Trim()}\n{result.StandardOutputText.Trim()}\n"
                + $"Fix it by running:\n  sudo {script}\nor\n  {AptCommand}\nthen run the tests again.");
        }
    }

    private static async Task<bool> IsInstalledAsync()
    {
        if (!File.Exists(CarbonCache) || !File.Exists(CarbonCRelay) || !File.Exists(Stunnel) || !File.Exists(PythonScript.Interpreter))
        {
            return false;
        }

        try
        {
            await PythonScript.RunAsync("import whisper, carbon").ConfigureAwait(false);
            return true;
        }
        catch (InvalidOperationException)
        {
            return false;
        }
    }
}
