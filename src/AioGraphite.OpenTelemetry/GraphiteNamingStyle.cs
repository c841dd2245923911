namespace AioGraphite.OpenTelemetry;

/// <summary>How <see cref="GraphiteMetricNameMapper"/> turns an instrument and its attributes into a Graphite series name.</summary>
public enum GraphiteNamingStyle
{
    /// <summary>
    /// A plain dotted path (the default; works with every carbon and graphite-web):
    /// <c>[prefix.]instrument.name[.attr_key].attr_value...[.suffix]</c>, attributes sorted by key.
    /// </summary>
    Path = 0,

    /// <summary>
    /// A Graphite 1.1 tagged series: <c>[prefix.]instrument.name[.suffix];attr_key=attr_value;...</c>
    /// (query it with <c>seriesByTag()</c>; carbon needs <c>ENABLE_TAGS</c> and graphite-web a tag database).
    /// </summary>
    Tags = 1,
}
