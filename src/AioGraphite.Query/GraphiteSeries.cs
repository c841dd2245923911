namespace AioGraphite.Query;

/// <summary>A series returned by graphite-web's <c>/render</c>.</summary>
/// <param name="Target">The series name (or the expression's name when functions were applied).</param>
/// <param name="Datapoints">The points with a value, oldest first (null points are not returned).</param>
/// <param name="Tags">The series' tags as graphite-web reports them (for an untagged series just <c>name</c>); empty when none.</param>
public sealed record GraphiteSeries(string Target, IReadOnlyList<SeriesPoint> Datapoints, IReadOnlyDictionary<string, string> Tags);
