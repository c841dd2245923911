namespace AioGraphite.Tests.Support;

/// <summary>The pipeline tests' points: one series of consecutive values and timestamps, and the plaintext lines carbon receives for them.</summary>
internal static class TestPoints
{
    /// <summary>First timestamp of a series (2020-09-13).</summary>
    public const long FirstTimestamp = 1_600_000_000;

    /// <summary><paramref name="count"/> points of <paramref name="name"/>: value i at <see cref="FirstTimestamp"/> + i, from i = <paramref name="from"/>.</summary>
    public static Datapoint[] Series(string name, int count, int from = 0) =>
        [.. Enumerable.Range(from, count).Select(i => new Datapoint(name, i, FirstTimestamp + i))];

    /// <summary>The plaintext lines of <paramref name="points"/>, as carbon receives them.</summary>
    public static string[] LinesOf(Datapoint[] points) => [.. points.Select(p => $"{p.Metric} {p.Value} {p.Timestamp}")];
}
