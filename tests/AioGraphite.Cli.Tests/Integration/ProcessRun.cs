using System.Diagnostics;
using System.Text;
using AioGraphite.TestUtilities;

namespace AioGraphite.Cli.Tests.Integration;

/// <summary>Runs an external program (dotnet, the installed tool, the native binary) to completion with captured output.</summary>
internal static class ProcessRun
{
    /// <summary>Runs <paramref name="fileName"/> and waits for it to exit (<see cref="ProcessRunner"/>).</summary>
    /// <param name="fileName">The program.</param>
    /// <param name="arguments">Its arguments.</param>
    /// <param name="environment">Variables to set.</param>
    /// <param name="timeout">How long it may run before it is killed and this throws <see cref="TimeoutException"/>.</param>
    /// <param name="standardInput">What the program reads on standard input (UTF-8); empty when <see langword="null"/>.</param>
    /// <param name="inheritEnvironment">When <see langword="false"/>, the program gets only <paramref name="environment"/>.</param>
    public static async Task<CliResult> RunAsync(
        string fileName,
        IEnumerable<string> arguments,
        IReadOnlyDictionary<string, string>? environment,
        TimeSpan timeout,
        string? standardInput = null,
        bool inheritEnvironment = true)
    {
        var stopwatch = Stopwatch.StartNew();
        byte[] input = new UTF8Encoding(encoderShouldEmitUTF8Identifier: false).GetBytes(standardInput ?? string.Empty);
        ProcessRunner.Result result = await ProcessRunner.RunAsync(fileName, arguments, input, environment, inheritEnvironment, timeout, CancellationToken.None);
        return new CliResult(result.ExitCode, result.StandardOutputText, result.StandardError, stopwatch.Elapsed);
    }
}
