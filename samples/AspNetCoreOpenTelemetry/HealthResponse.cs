using System.Text.Json;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace AioGraphite.Samples.AspNetCoreOpenTelemetry;

/// <summary>Writes a health report as JSON: the overall status, and every check's status, description and data.</summary>
internal static class HealthResponse
{
    public static async Task WriteAsync(HttpContext context, HealthReport report)
    {
        context.Response.ContentType = "application/json";
        using var body = new MemoryStream();
        using (var json = new Utf8JsonWriter(body, new JsonWriterOptions { Indented = true }))
        {
            json.WriteStartObject();
            json.WriteString("status", report.Status.ToString());
            json.WriteStartObject("checks");
            foreach ((string name, HealthReportEntry entry) in report.Entries)
            {
                json.WriteStartObject(name);
                json.WriteString("status", entry.Status.ToString());
                json.WriteString("description", entry.Description);
                json.WriteStartObject("data");
                foreach ((string key, object value) in entry.Data)
                {
                    switch (value)
                    {
                        case bool b:
                            json.WriteBoolean(key, b);
                            break;
                        case long n:
                            json.WriteNumber(key, n);
                            break;
                        default:
                            json.WriteString(key, Convert.ToString(value, System.Globalization.CultureInfo.InvariantCulture));
                            break;
                    }
                }

                json.WriteEndObject();
                json.WriteEndObject();
            }

            json.WriteEndObject();
            json.WriteEndObject();
        }

        await context.Response.Body.WriteAsync(body.ToArray(), context.RequestAborted);
    }
}
