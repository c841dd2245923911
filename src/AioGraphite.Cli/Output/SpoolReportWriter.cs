using System.Globalization;
using System.Text;
using System.Text.Json;

namespace AioGraphite.Cli.Output;

/// <summary>
/// Writes a <see cref="GraphiteSpoolReport"/> for <c>aiographite spool status|verify</c>: as lines for people, or as
/// JSON for scripts (<c>--json</c>; the shape is documented in <c>docs/spool.md</c> and only grows).
/// </summary>
internal static class SpoolReportWriter
{
    /// <summary>The report as text: one block per destination directory.</summary>
    /// <param name="report">The report.</param>
    /// <param name="verify">Whether every record was verified (says so, and lists damage per file).</param>
    /// <returns>The text, ending in a newline.</returns>
    public static string Text(GraphiteSpoolReport report, bool verify)
    {
        var text = new StringBuilder();
        if (report.Destinations.Count == 0)
        {
            text.Append(CultureInfo.InvariantCulture, $"{report.Directory}: no destination directory (nothing spooled)\n");
            return text.ToString();
        }

        text.Append(CultureInfo.InvariantCulture, $"{report.Directory}: {Rate.Count(report.Points, "point")} waiting ({Rate.Count(report.Bytes, "byte")}) in {Rate.Count(report.Destinations.Count)} destination director{(report.Destinations.Count == 1 ? "y" : "ies")}\n");
        foreach (GraphiteSpoolDestinationReport d in report.Destinations)
        {
            string identity = d.Identity is null ? "unknown destination (no identity file, and not a name the spool makes)"
                : d.IdentityInferred ? $"{d.Identity} (from its name: no identity file)" : d.Identity.ToString();
            text.Append(CultureInfo.InvariantCulture, $"{Path.GetFileName(d.Directory)}: {identity}\n");
            if (d.Foreign)
            {
                text.Append(CultureInfo.InvariantCulture, $"  foreign: a client for that destination uses the directory '{d.ExpectedName}', not this one: rename it to that to send its records\n");
            }

            string span = d.OldestTimestamp is { } oldest && d.NewestTimestamp is { } newest ? $"; points from {Time(oldest)} to {Time(newest)}" : string.Empty;
            text.Append(CultureInfo.InvariantCulture, $"  waiting: {Rate.Count(d.Points, "point")} in {Rate.Count(d.Records, "record")} ({Rate.Count(d.Bytes, "byte")}){span}\n");
            text.Append(CultureInfo.InvariantCulture, $"  files: {Rate.Count(d.Files, "record file")} ({Rate.Count(d.FileBytes, "byte")})\n");
            text.Append(CultureInfo.InvariantCulture, $"  lock: {Lock(d)}\n");
            if (d.Damage.Count == 0)
            {
                text.Append(verify ? "  damage: none (every record verified)\n" : "  damage: none\n");
                continue;
            }

            foreach (GraphiteSpoolDamage damage in d.Damage)
            {
                text.Append(CultureInfo.InvariantCulture, $"  {Describe(damage)}\n");
            }
        }

        return text.ToString();
    }

    /// <summary>The report as one JSON object (see <c>docs/spool.md</c>).</summary>
    /// <param name="report">The report.</param>
    /// <param name="verified">Whether every record was verified.</param>
    /// <returns>The JSON text, ending in a newline.</returns>
    public static string Json(GraphiteSpoolReport report, bool verified)
    {
        using var stream = new MemoryStream();
        using (var json = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true }))
        {
            json.WriteStartObject();
            json.WriteString("directory", report.Directory);
            json.WriteBoolean("verified", verified);
            json.WriteNumber("points", report.Points);
            json.WriteNumber("bytes", report.Bytes);
            json.WriteBoolean("damaged", report.HasDamage);
            json.WriteStartArray("destinations");
            foreach (GraphiteSpoolDestinationReport d in report.Destinations)
            {
                WriteDestination(json, d);
            }

            json.WriteEndArray();
            json.WriteEndObject();
        }

        return Encoding.UTF8.GetString(stream.ToArray()) + "\n";
    }

    private static void WriteDestination(Utf8JsonWriter json, GraphiteSpoolDestinationReport d)
    {
        json.WriteStartObject();
        json.WriteString("directory", d.Directory);
        json.WriteString("name", Path.GetFileName(d.Directory));
        if (d.Identity is { } identity)
        {
            json.WriteStartObject("identity");
            json.WriteString("host", identity.Host);
            json.WriteNumber("port", identity.Port);
            json.WriteString("transport", identity.TransportName);
            json.WriteString("protocol", identity.Protocol);
            json.WriteBoolean("inferred", d.IdentityInferred);
            json.WriteEndObject();
            json.WriteBoolean("foreign", d.Foreign);
        }
        else
        {
            json.WriteNull("identity");
            json.WriteBoolean("foreign", false);
        }

        json.WriteNumber("points", d.Points);
        json.WriteNumber("records", d.Records);
        json.WriteNumber("bytes", d.Bytes);
        json.WriteNumber("files", d.Files);
        json.WriteNumber("file_bytes", d.FileBytes);
        WriteTime(json, "oldest", d.OldestTimestamp);
        WriteTime(json, "newest", d.NewestTimestamp);
        json.WriteBoolean("damaged", d.HasDamage);
        json.WriteStartArray("damage");
        foreach (GraphiteSpoolDamage damage in d.Damage)
        {
            json.WriteStartObject();
            json.WriteString("file", damage.File);
            json.WriteString("kind", damage.Kind);
            json.WriteNumber("offset", damage.Offset);
            json.WriteNumber("bytes", damage.Bytes);
            json.WriteNumber("records", damage.Records);
            WriteNumber(json, "points", damage.Points);

            json.WriteString("reason", damage.Reason);
            json.WriteEndObject();
        }

        json.WriteEndArray();
        json.WriteStartObject("lock");
        WriteBoolean(json, "held", d.IsLocked);

        json.WriteString("holder", d.LockHolder);
        json.WriteEndObject();
        json.WriteEndObject();
    }

    private static void WriteNumber(Utf8JsonWriter json, string name, long? value)
    {
        if (value is { } v)
        {
            json.WriteNumber(name, v);
        }
        else
        {
            json.WriteNull(name);
        }
    }

    private static void WriteBoolean(Utf8JsonWriter json, string name, bool? value)
    {
        if (value is { } v)
        {
            json.WriteBoolean(name, v);
        }
        else
        {
            json.WriteNull(name);
        }
    }

    private static void WriteTime(Utf8JsonWriter json, string name, DateTimeOffset? time)
    {
        if (time is { } t)
        {
            json.WriteString(name, t.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture));
        }
        else
        {
            json.WriteNull(name);
        }
    }

    private static string Time(DateTimeOffset time) => time.ToString("yyyy-MM-dd HH:mm:ss 'UTC'", CultureInfo.InvariantCulture);

    private static string Lock(GraphiteSpoolDestinationReport d) => d.IsLocked switch
    {
        true => $"held by {d.LockHolder ?? "an unknown process"}",
        false when d.LockHolder is not null => $"free (the last holder's note: {d.LockHolder})",
        false => "free",
        null => "unknown (the lock file is a symbolic link or cannot be opened)",
    };

    private static string Describe(GraphiteSpoolDamage damage)
    {
        string points = damage.Points is { } p ? Rate.Count(p, "point") : "unknown points";
        return damage.Kind switch
        {
            GraphiteSpoolDamage.Quarantined => $"kept copy of a damaged file: {damage.File} ({Rate.Count(damage.Bytes, "byte")}; delete it once looked at)",
            GraphiteSpoolDamage.TornTail => $"torn tail: {damage.File} at byte {damage.Offset}: {Rate.Count(damage.Bytes, "byte")} of an append a crash interrupted (never synced; the next client cuts it off): {damage.Reason}",
            _ => $"damaged: {damage.File} at byte {damage.Offset}: {Rate.Count(damage.Bytes, "byte")}, {Rate.Count(damage.Records, "record")}, {points} lost: {damage.Reason}",
        };
    }
}
