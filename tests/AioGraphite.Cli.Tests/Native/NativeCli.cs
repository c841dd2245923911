using AioGraphite.Cli.Tests.Integration;
using AioGraphite.TestUtilities;

namespace AioGraphite.Cli.Tests.Native;

/// <summary>
/// The Native AOT <c>aiographite</c> binary that <c>scripts/publish-cli.sh</c> builds into <c>artifacts/cli/</c>.
/// <c>scripts/test.sh</c> publishes it before the tests run; when it is missing, or older than the tool's assemblies
/// this test project was built with (the sources changed since), the first test that needs it runs the script once
/// for the whole test run, and every native test fails with the script's output when that fails.
/// </summary>
internal static class NativeCli
{
    private static readonly TimeSpan PublishTimeout = TimeSpan.FromMinutes(15);
    private static readonly TimeSpan RunTimeout = TimeSpan.FromMinutes(1);
    private static readonly Lazy<Task<string>> Binary = new(EnsurePublishedAsync);

    /// <summary>The binary's path, published first if needed.</summary>
    public static Task<string> PathAsync() => Binary.Value;

    /// <summary>
    /// Runs the binary with an empty environment but for <paramref name="environment"/> (it needs no .NET runtime,
    /// no <c>DOTNET_ROOT</c>, no <c>PATH</c>) and waits for it to exit.
    /// </summary>
    public static async Task<CliResult> RunAsync(IReadOnlyList<string> args, string? standardInput = null, IReadOnlyDictionary<string, string>? environment = null) =>
        await ProcessRun.RunAsync(await PathAsync(), args, environment, RunTimeout, standardInput ?? string.Empty, inheritEnvironment: false);

    private static async Task<string> EnsurePublishedAsync()
    {
        string root = RepositoryRoot.Find();
        string binary = Path.Combine(root, "artifacts", "cli", OperatingSystem.IsWindows() ? "aiographite.exe" : "aiographite");
        DateTime built = new[] { "AioGraphite.Cli.dll", "AioGraphite.dll" }
            .Select(name => File.GetLastWriteTimeUtc(Path.Combine(AppContext.BaseDirectory, name)))
            .Max();
        if (File.Exists(binary) && File.GetLastWriteTimeUtc(binary) >= built)
        {
            return binary;
        }

        string script = Path.Combine(root, "scripts", "publish-cli.sh");
        string why = File.Exists(binary) ? $"{binary} is older than the tool's assemblies in {AppContext.BaseDirectory}" : $"{binary} does not exist";
        CliResult publish = await ProcessRun.RunAsync("bash", [script], environment: null, PublishTimeout);
        if (publish.ExitCode != 0 || !File.Exists(binary))
        {
            throw new InvalidOperationException(
                $"The native aiographite binary is needed ({why}) and '{script}' could not build it. Run scripts/publish-cli.sh "
                + "yourself and fix what it reports (on Debian/Ubuntu 'scripts/publish-cli.sh --install-prerequisites' installs "
                + $"clang and zlib1g-dev, which Native AOT links with), then run the tests again.\n{publish}");
        }

        return binary;
    }
}
