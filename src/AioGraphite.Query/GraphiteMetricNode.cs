namespace AioGraphite.Query;

/// <summary>A node returned by graphite-web's <c>/metrics/find</c>: a branch (a directory of series) or a leaf (a series).</summary>
/// <param name="Path">The full path, e.g. <c>servers.web1.cpu</c>.</param>
/// <param name="Name">The last segment, e.g. <c>cpu</c>.</param>
/// <param name="IsLeaf">Whether it is a series (has data).</param>
/// <param name="HasChildren">Whether it has nodes below it.</param>
public sealed record GraphiteMetricNode(string Path, string Name, bool IsLeaf, bool HasChildren);
