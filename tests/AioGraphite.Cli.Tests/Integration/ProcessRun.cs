using System.Diagnostics;
using System.Text;

namespace AioGraphite.Cli.Tests.Integration;

/// <summary>Runs an external program (dotnet, the installed tool, the native binary) to completion with captured output.</summary>
internal static class ProcessRun
{
    /// <summary>Runs <paramref name="fileName"/> and waits for it to exit.</summary>
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
        var start = new ProcessStartInfo(fileName)
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            StandardOutputEncoding = Encoding.UTF8,
            StandardErrorEncoding = Encoding.UTF8,
        };
        foreach (string argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        if (!inheritEnvironment)
        {
            start.Environment.Clear();
        }

        foreach ((string name, string value) in environment ?? new Dictionary<string, string>())
        {
            start.Environment[name] = value;
        }

        var stopwatch = Stopwatch.StartNew();
        using var process = Process.Start(start) ?? throw new InvalidOperationException($"could not start {fileName}");
        Task<string> output = process.StandardOutput.ReadToEndAsync();
        Task<string> error = process.StandardError.ReadToEndAsync();
        try
        {
            if (standardInput is not null)
            {
                await process.StandardInput.BaseStream.WriteAsync(new UTF8Encoding(encoderShouldEmitUTF8Identifier: false).GetBytes(standardInput));
            }

            process.StandardInput.Close();
        }
        catch (IOException)
        {
            // the program exited without reading all of its input: its exit code and output tell why
        }

        using var cts = new CancellationTokenSource(timeout);
        try
        {
            await process.WaitForExitAsync(cts.Token);
        }
        catch (OperationCanceledException ex)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{fileName} {string.Join(' ', start.ArgumentList)} did not finish within {timeout}:\n{await output}\n{await error}", ex);
        }

        return new CliResult(process.ExitCode, await output, await error, stopwatch.Elapsed);
    }
}
