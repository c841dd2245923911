using System.Globalization;

namespace AioGraphite.Cli.Output;

/// <summary>Formats counts, durations and rates for the progress and summary lines.</summary>
internal static class Rate
{
    /// <summary>Points per second over <paramref name="elapsed"/>, e.g. <c>12,345/s</c>.</summary>
    /// <param name="points">Points.</param>
    /// <param name="elapsed">Time taken.</param>
    /// <returns>The rate.</returns>
    public static string PerSecond(long points, TimeSpan elapsed) =>
        string.Create(CultureInfo.InvariantCulture, $"{(elapsed > TimeSpan.Zero ? points / elapsed.TotalSeconds : 0):N0}/s");

    /// <summary>A count with thousands separators.</summary>
    /// <param name="count">The count.</param>
    /// <returns>The text.</returns>
    public static string Count(long count) => count.ToString("N0", CultureInfo.InvariantCulture);

    /// <summary>A count and a noun, plural unless the count is 1: <c>1 line</c>, <c>10,003 lines</c>.</summary>
    /// <param name="count">The count.</param>
    /// <param name="noun">The singular noun.</param>
    /// <returns>The text.</returns>
    public static string Count(long count, string noun) => count == 1 ? $"1 {noun}" : $"{Count(count)} {noun}s";

    /// <summary>A duration in seconds with two decimals.</summary>
    /// <param name="elapsed">The duration.</param>
    /// <returns>The text.</returns>
    public static string Seconds(TimeSpan elapsed) => string.Create(CultureInfo.InvariantCulture, $"{elapsed.TotalSeconds:0.00} s");
}
