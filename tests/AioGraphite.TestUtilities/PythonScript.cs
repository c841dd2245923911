using System.Text;

namespace AioGraphite.TestUtilities;

/// <summary>
/// Runs Debian's <c>/usr/bin/python3</c> (the interpreter that has <c>carbon</c> and <c>whisper</c>;
/// a <c>python3</c> on PATH may be a pyenv shim without them) on a script given as text.
/// Tests use it to check bytes with Python's own <c>pickle</c>, <c>whisper</c> and <c>carbon</c> code.
/// </summary>
public static class PythonScript
{
    /// <summary>The interpreter used.</summary>
    public const string Interpreter = "/usr/bin/python3";

    private static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(60);

    private static readonly Dictionary<string, string> PythonEnvironment = new(StringComparer.Ordinal)
    {
        ["PYTHONWARNINGS"] = "ignore",
        ["PYTHONIOENCODING"] = "utf-8",
        ["PYTHONDONTWRITEBYTECODE"] = "1",
        ["PYTHONUTF8"] = "1",
    };

    /// <summary>Runs <paramref name="script"/> with text on stdin and returns its stdout as text.</summary>
    /// <param name="script">Python source, run with <c>python3 -c</c> (so <c>sys.argv[0]</c> is <c>-c</c>).</param>
    /// <param name="standardInput">UTF-8 text written to stdin, or <see langword="null"/> for none.</param>
    /// <param name="arguments">Extra arguments: <c>sys.argv[1:]</c>.</param>
    /// <param name="cancellationToken">Cancels (kills) the run.</param>
    /// <returns>Everything the script wrote to stdout (UTF-8).</returns>
    /// <exception cref="InvalidOperationException">Python is missing, or the script exited non-zero (the message has its stderr).</exception>
    public static async Task<string> RunAsync(string script, string? standardInput = null, IReadOnlyList<string>? arguments = null, CancellationToken cancellationToken = default)
    {
        var stdin = standardInput is null ? ReadOnlyMemory<byte>.Empty : Encoding.UTF8.GetBytes(standardInput);
        var stdout = await RunBinaryAsync(script, stdin, arguments, cancellationToken).ConfigureAwait(false);
        return Encoding.UTF8.GetString(stdout);
    }

    /// <summary>Runs <paramref name="script"/> with bytes on stdin (read them with <c>sys.stdin.buffer.read()</c>) and returns stdout as bytes.</summary>
    /// <param name="script">Python source, run with <c>python3 -c</c>.</param>
    /// <param name="standardInput">Bytes written to stdin.</param>
    /// <param name="arguments">Extra arguments: <c>sys.argv[1:]</c>.</param>
    /// <param name="cancellationToken">Cancels (kills) the run.</param>
    /// <returns>Everything the script wrote to stdout (write bytes with <c>sys.stdout.buffer.write</c>).</returns>
    /// <exception cref="InvalidOperationException">Python is missing, or the script exited non-zero (the message has its stderr).</exception>
    public static async Task<byte[]> RunBinaryAsync(string script, ReadOnlyMemory<byte> standardInput = default, IReadOnlyList<string>? arguments = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(script);
        if (!File.Exists(Interpreter))
        {
            throw new InvalidOperationException(
                $"{Interpreter} not found. The tests need Debian's python3 with carbon and whisper: run scripts/install-carbon.sh as root "
                + $"(or: {CarbonInstallation.AptCommand}).");
        }

        var result = await ProcessRunner.RunAsync(Interpreter, ["-c", script, .. arguments ?? []], standardInput, PythonEnvironment, DefaultTimeout, cancellationToken)
            .ConfigureAwait(false);
        if (result.ExitCode != 0)
        {
            var firstLine = script.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).FirstOrDefault() ?? string.Empty;
            throw new InvalidOperationException($"python3 script (starting \"{firstLine}\") exited with code {result.ExitCode}:\n{result.StandardError}");
        }

        return result.StandardOutput;
    }
}
