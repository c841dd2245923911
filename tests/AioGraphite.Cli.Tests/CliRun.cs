using System.Diagnostics;

namespace AioGraphite.Cli.Tests;

/// <summary>Runs the tool's entry point in-process with its own standard streams.</summary>
internal static class CliRun
{
    public static async Task<CliResult> RunAsync(
        IReadOnlyList<string> args,
        string standardInput = "",
        IReadOnlyDictionary<string, string>? environment = null,
        bool errorIsTerminal = false,
        TimeProvider? timeProvider = null,
        Func<TextReader>? input = null,
        CancellationToken cancellationToken = default)
    {
        var output = new StringWriter();
        var error = new StringWriter();
        var console = new CliConsole
        {
            Out = TextWriter.Synchronized(output),
            Error = TextWriter.Synchronized(error),
            OpenStandardInput = input ?? (() => new StringReader(standardInput)),
            IsErrorRedirected = !errorIsTerminal,
            GetEnvironmentVariable = name => environment is not null && environment.TryGetValue(name, out string? value) ? value : null,
            TimeProvider = timeProvider ?? TimeProvider.System,
        };
        var stopwatch = Stopwatch.StartNew();
        int exitCode = await CliApplication.RunAsync(args, console, cancellationToken);
        return new CliResult(exitCode, output.ToString(), error.ToString(), stopwatch.Elapsed);
    }
}
