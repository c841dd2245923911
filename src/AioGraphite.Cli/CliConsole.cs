namespace AioGraphite.Cli;

/// <summary>
/// What a command may touch outside itself: standard streams, environment variables and the clock. The tool runs on
/// <see cref="FromSystemConsole"/>; tests run the same entry point on a console of their own.
/// </summary>
internal sealed class CliConsole
{
    /// <summary>Help width when the output is not a terminal.</summary>
    private const int RedirectedHelpWidth = 100;

    /// <summary>Narrowest help on a terminal.</summary>
    private const int MinHelpWidth = 60;

    /// <summary>Widest help on a terminal (longer lines are hard to read).</summary>
    private const int MaxHelpWidth = 120;

    /// <summary>Standard output: results (encoded names, help).</summary>
    public required TextWriter Out { get; init; }

    /// <summary>Standard error: errors, invalid lines, progress and summaries.</summary>
    public required TextWriter Error { get; init; }

    /// <summary>Opens standard input (read by <c>pipe</c> without <c>--input</c>).</summary>
    public required Func<TextReader> OpenStandardInput { get; init; }

    /// <summary>
    /// Whether standard error is redirected to a file or pipe; the live progress line of <c>pipe</c> is drawn only
    /// when it is not (a terminal).
    /// </summary>
    public bool IsErrorRedirected { get; init; } = true;

    /// <summary>Width at which help is wrapped.</summary>
    public int HelpWidth { get; init; } = RedirectedHelpWidth;

    /// <summary>Reads an environment variable (<c>GRAPHITE_HOST</c>).</summary>
    public Func<string, string?> GetEnvironmentVariable { get; init; } = static _ => null;

    /// <summary>The clock: "now" for points without a timestamp, elapsed times, rates, the progress ticker.</summary>
    public TimeProvider TimeProvider { get; init; } = TimeProvider.System;

    /// <summary>Whether Ctrl+C and SIGTERM cancel the running command (the real process only).</summary>
    public bool HandleTermination { get; init; }

    /// <summary>The process's own console.</summary>
    /// <returns>A console over <see cref="Console"/>.</returns>
    public static CliConsole FromSystemConsole() => new()
    {
        Out = Console.Out,
        Error = Console.Error,
        OpenStandardInput = static () => new StreamReader(Console.OpenStandardInput(), System.Text.Encoding.UTF8, detectEncodingFromByteOrderMarks: false, bufferSize: Input.CarbonLineReader.DefaultBufferChars),
        IsErrorRedirected = Console.IsErrorRedirected,
        HelpWidth = Console.IsOutputRedirected ? RedirectedHelpWidth : Math.Clamp(Console.WindowWidth, MinHelpWidth, MaxHelpWidth),
        GetEnvironmentVariable = Environment.GetEnvironmentVariable,
        HandleTermination = true,
    };
}
