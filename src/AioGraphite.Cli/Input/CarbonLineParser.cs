using System.Globalization;

namespace AioGraphite.Cli.Input;

/// <summary>
/// Parses one line of carbon's plaintext format, <c>metric value [timestamp]</c>, as carbon's line receiver does:
/// the line is split on whitespace into 2 or 3 fields and both numbers are read like Python's <c>float()</c>.
/// The timestamp is optional here (carbon requires it): a 2-field line takes "now" from the clock. A timestamp is
/// truncated to whole seconds; -1 means now, as in carbon. NaN and infinities are refused, since AioGraphite never
/// sends them. The metric name itself is checked later, by the client.
/// </summary>
internal sealed class CarbonLineParser
{
    private const int MaxQuoted = 60;
    private readonly TimeProvider _time;

    /// <summary>Creates a parser whose 2-field lines take their timestamp from <paramref name="timeProvider"/>.</summary>
    /// <param name="timeProvider">The clock for "now".</param>
    public CarbonLineParser(TimeProvider timeProvider)
    {
        _time = timeProvider;
    }

    /// <summary>Whether a line holds nothing but whitespace (such lines are skipped, not reported).</summary>
    /// <param name="line">The line.</param>
    /// <returns><see langword="true"/> when the line is blank.</returns>
    public static bool IsBlank(ReadOnlySpan<char> line) => PythonWhitespace.Trim(line).IsEmpty;

    /// <summary>Parses a value as <c>float()</c> would, refusing NaN and infinities.</summary>
    /// <param name="text">The text of the value.</param>
    /// <param name="value">The value.</param>
    /// <param name="error">Why it is not a value, or <see langword="null"/>.</param>
    /// <returns><see langword="true"/> when it is a finite number.</returns>
    public static bool TryParseValue(string text, out double value, out string? error)
    {
        error = PythonFloat.TryParse(text, out value) switch
        {
            PythonFloat.Result.Finite => null,
            PythonFloat.Result.NotFinite => $"value {Quote(text)} is not a finite number (NaN and infinity cannot be stored)",
            _ => $"value {Quote(text)} is not a number",
        };
        return error is null;
    }

    /// <summary>
    /// Parses a timestamp as <c>float()</c> would and truncates it to whole seconds; -1 (carbon's "now") gives
    /// <see langword="null"/>, which means now to the client.
    /// </summary>
    /// <param name="text">The text of the timestamp.</param>
    /// <param name="timestamp">Unix seconds, or <see langword="null"/> for now.</param>
    /// <param name="error">Why it is not a timestamp, or <see langword="null"/>.</param>
    /// <returns><see langword="true"/> when it is a usable timestamp.</returns>
    public static bool TryParseTimestamp(string text, out long? timestamp, out string? error)
    {
        timestamp = null;
        PythonFloat.Result result = PythonFloat.TryParse(text, out double seconds);
        double whole = Math.Truncate(seconds);
        error = result switch
        {
            PythonFloat.Result.Invalid => $"timestamp {Quote(text)} is not a number",
            PythonFloat.Result.NotFinite => $"timestamp {Quote(text)} is not a finite number",
            _ when whole == -1 => null,
            _ when whole < 0 => $"timestamp {Quote(text)} is negative",
            _ when whole >= long.MaxValue => $"timestamp {Quote(text)} is too large",
            _ => null,
        };
        if (error is null && whole != -1)
        {
            timestamp = (long)whole;
        }

        return error is null;
    }

    /// <summary>Puts text in single quotes for a message, shortened when long.</summary>
    /// <param name="text">The text.</param>
    /// <returns>The quoted text.</returns>
    public static string Quote(string text) =>
        text.Length <= MaxQuoted ? $"'{text}'" : string.Create(CultureInfo.InvariantCulture, $"'{text.AsSpan(0, MaxQuoted)}...' ({text.Length} characters)");

    /// <summary>Parses one line (without its line break).</summary>
    /// <param name="line">The line.</param>
    /// <param name="point">The datapoint, when the line is valid.</param>
    /// <param name="error">Why the line is invalid, or <see langword="null"/>.</param>
    /// <returns><see langword="true"/> when the line is valid.</returns>
    public bool TryParse(string line, out Datapoint point, out string? error)
    {
        point = default;
        Span<Range> fields = stackalloc Range[3];
        int count = PythonWhitespace.Split(line, fields);
        if (count is < 2 or > 3)
        {
            error = string.Create(CultureInfo.InvariantCulture, $"expected 'metric value [timestamp]' but found {count} field{(count == 1 ? string.Empty : "s")}");
            return false;
        }

        string metric = line[fields[0]];
        if (!TryParseValue(line[fields[1]], out double value, out error))
        {
            return false;
        }

        long? timestamp;
        if (count == 2)
        {
            timestamp = _time.GetUtcNow().ToUnixTimeSeconds();
        }
        else if (!TryParseTimestamp(line[fields[2]], out timestamp, out error))
        {
            return false;
        }

        point = new Datapoint(metric, value, timestamp ?? _time.GetUtcNow().ToUnixTimeSeconds());
        return true;
    }
}
