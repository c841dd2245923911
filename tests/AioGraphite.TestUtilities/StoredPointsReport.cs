using System.Globalization;
using System.Text;

namespace AioGraphite.TestUtilities;

/// <summary>The points one series should hold in whisper: each (timestamp, value) exactly.</summary>
/// <param name="Metric">The name as sent.</param>
/// <param name="Points">The points, one per timestamp.</param>
public sealed record ExpectedSeries(string Metric, IReadOnlyList<(long Timestamp, double Value)> Points)
{
    /// <summary>A stream of <paramref name="metrics"/> series × <paramref name="steps"/> timestamps, one timestamp per step.</summary>
    /// <param name="metrics">Series.</param>
    /// <param name="steps">Points per series; step k has timestamp <paramref name="firstTimestamp"/> + k.</param>
    /// <param name="firstTimestamp">The timestamp of step 0.</param>
    /// <param name="name">The name of series i.</param>
    /// <param name="value">The value of series i at step k.</param>
    /// <returns>One expectation per series.</returns>
    public static IReadOnlyList<ExpectedSeries> Grid(int metrics, int steps, long firstTimestamp, Func<int, string> name, Func<int, int, double> value)
    {
        ArgumentNullException.ThrowIfNull(name);
        ArgumentNullException.ThrowIfNull(value);
        return [.. Enumerable.Range(0, metrics).Select(m => new ExpectedSeries(
            name(m),
            [.. Enumerable.Range(0, steps).Select(k => (firstTimestamp + k, value(m, k)))]))];
    }
}

/// <summary>What one series holds compared with what it should.</summary>
/// <param name="Metric">The name as sent.</param>
/// <param name="Expected">Points expected.</param>
/// <param name="Missing">Expected timestamps with no point in whisper.</param>
/// <param name="WrongValue">Expected timestamps stored with another value.</param>
/// <param name="LostRanges">The lost timestamps as runs (first, last), to see which part of the stream was lost.</param>
public sealed record SeriesLoss(string Metric, int Expected, int Missing, int WrongValue, IReadOnlyList<(long First, long Last)> LostRanges)
{
    /// <summary>Missing plus wrong.</summary>
    public int Lost => Missing + WrongValue;
}

/// <summary>
/// The outcome of <see cref="CarbonCacheServer.WaitForAllStoredAsync"/>: how many of the expected points whisper holds
/// with their exact values, and, when some are lost, how many per series and which part of the stream.
/// </summary>
public sealed class StoredPointsReport
{
    internal StoredPointsReport(IReadOnlyList<SeriesLoss> series, long firstTimestamp, TimeSpan waited, string ending)
    {
        Series = series;
        FirstTimestamp = firstTimestamp;
        Waited = waited;
        Ending = ending;
        ExpectedPoints = series.Sum(s => s.Expected);
        LostPoints = series.Sum(s => s.Lost);
    }

    /// <summary>Every series checked.</summary>
    public IReadOnlyList<SeriesLoss> Series { get; }

    /// <summary>Points expected in all.</summary>
    public int ExpectedPoints { get; }

    /// <summary>Expected points missing from whisper or stored with another value.</summary>
    public int LostPoints { get; }

    /// <summary>Whether every expected point is stored with its value.</summary>
    public bool Complete => LostPoints == 0;

    /// <summary>How long the wait took.</summary>
    public TimeSpan Waited { get; }

    /// <summary>Why the wait ended (complete, settled with nothing pending, timed out).</summary>
    public string Ending { get; }

    private long FirstTimestamp { get; }

    /// <summary>One line when complete; otherwise "lost 12,254 of 60,000 points" and the details per series.</summary>
    /// <returns>The text.</returns>
    public override string ToString()
    {
        var text = new StringBuilder();
        if (Complete)
        {
            text.Append(CultureInfo.InvariantCulture, $"all {ExpectedPoints:N0} points stored with their values ({Ending} after {Waited.TotalSeconds:0.0} s)");
            return text.ToString();
        }

        var incomplete = Series.Where(s => s.Lost > 0).OrderByDescending(s => s.Lost).ThenBy(s => s.Metric, StringComparer.Ordinal).ToList();
        var wrong = Series.Sum(s => s.WrongValue);
        text.Append(CultureInfo.InvariantCulture, $"lost {LostPoints:N0} of {ExpectedPoints:N0} points ({100.0 * LostPoints / ExpectedPoints:0.0} %)");
        if (wrong > 0)
        {
            text.Append(CultureInfo.InvariantCulture, $", {wrong:N0} of them stored with a wrong value");
        }

        text.Append(CultureInfo.InvariantCulture, $"; {incomplete.Count} of {Series.Count} series incomplete ({Ending} after {Waited.TotalSeconds:0.0} s)\n");
        text.Append(CultureInfo.InvariantCulture, $"missing per series (seconds after the first timestamp {FirstTimestamp}):\n");
        foreach (var s in incomplete.Take(12))
        {
            var runs = string.Join(", ", s.LostRanges.Take(4).Select(r => r.First == r.Last ? $"+{r.First - FirstTimestamp}" : $"+{r.First - FirstTimestamp}..+{r.Last - FirstTimestamp}"));
            text.Append(CultureInfo.InvariantCulture, $"  {s.Metric}: {s.Lost:N0} of {s.Expected:N0} lost at {runs}{(s.LostRanges.Count > 4 ? $" and {s.LostRanges.Count - 4} more runs" : string.Empty)}\n");
        }

        if (incomplete.Count > 12)
        {
            text.Append(CultureInfo.InvariantCulture, $"  ... and {incomplete.Count - 12} more series, {incomplete.Skip(12).Sum(s => s.Lost):N0} points\n");
        }

        return text.ToString();
    }
}
