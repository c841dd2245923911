namespace AioGraphite.OpenTelemetry;

/// <summary>A series mapped once: the name up to the suffix, and the tags (<c>;k=v...</c>, empty in path style).</summary>
/// <param name="Head">The dotted name without suffix.</param>
/// <param name="TagSuffix">The sorted tags, or empty.</param>
internal readonly record struct MappedSeries(string Head, string TagSuffix)
{
    /// <summary>The full name with <paramref name="suffix"/> (dotted segments) added before the tags.</summary>
    public string Name(string? suffix) => string.IsNullOrEmpty(suffix)
        ? (TagSuffix.Length == 0 ? Head : Head + TagSuffix)
        : string.Concat(Head, ".", suffix, TagSuffix);
}
