using AioGraphite.Naming;

namespace AioGraphite;

/// <summary>
/// Builds Graphite 1.1 tagged series names: <c>name;tag1=value1;tag2=value2</c>, tags sorted the way carbon
/// normalises them and checked by carbon's rules (a tag name is non-empty and has none of <c>;!^=</c>; a value
/// is non-empty, has no <c>;</c> and does not start with <c>~</c>; no whitespace or control characters anywhere).
/// </summary>
/// <example>
/// <code>
/// string metric = GraphiteTags.Format("disk.used", new Dictionary&lt;string, string&gt; { ["host"] = "web1", ["dc"] = "eu" });
/// // "disk.used;dc=eu;host=web1"
/// await client.SendAsync(metric, 42);
/// </code>
/// </example>
public static class GraphiteTags
{
    /// <summary>Formats a tagged series name.</summary>
    /// <param name="name">The series name, without <c>;</c>.</param>
    /// <param name="tags">The tags; names must be unique. <c>name</c> is reserved by carbon.</param>
    /// <returns><c>name;tag=value;...</c> with the tags sorted.</returns>
    /// <exception cref="ArgumentNullException">An argument is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException">The name or a tag breaks carbon's rules; the message names it.</exception>
    public static string Format(string name, IEnumerable<KeyValuePair<string, string>> tags) => TaggedName.Format(name, tags);

    /// <summary>Formats a tagged series name.</summary>
    /// <param name="name">The series name, without <c>;</c>.</param>
    /// <param name="tags">The tags as (name, value) pairs.</param>
    /// <returns><c>name;tag=value;...</c> with the tags sorted.</returns>
    /// <exception cref="ArgumentNullException">An argument is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException">The name or a tag breaks carbon's rules; the message names it.</exception>
    public static string Format(string name, params (string Name, string Value)[] tags)
    {
        ArgumentNullException.ThrowIfNull(tags);
        return TaggedName.Format(name, tags.Select(t => new KeyValuePair<string, string>(t.Name, t.Value)));
    }
}
