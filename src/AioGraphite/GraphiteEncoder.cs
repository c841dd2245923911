namespace AioGraphite;

/// <summary>placeholder</summary>
public static class GraphiteEncoder
{
    /// <summary>placeholder</summary>
    /// <param name="sectionName">x</param>
    /// <returns>x</returns>
    public static string Encode(string sectionName) => throw new NotSupportedException();

    /// <summary>placeholder</summary>
    /// <param name="encoded">x</param>
    /// <returns>x</returns>
    public static string Decode(string encoded) => throw new NotSupportedException();

    /// <summary>placeholder</summary>
    /// <param name="metricParts">x</param>
    /// <returns>x</returns>
    public static string CleanAndJoinMetricParts(IEnumerable<string> metricParts) => throw new NotSupportedException();
}
