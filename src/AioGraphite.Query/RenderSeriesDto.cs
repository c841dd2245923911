using System.Text.Json.Serialization;

namespace AioGraphite.Query;

/// <summary>One element of <c>/render?format=json</c>: <c>{"target": ..., "tags": {...}, "datapoints": [[value, ts], ...]}</c>.</summary>
internal sealed class RenderSeriesDto
{
    [JsonPropertyName("target")]
    public string? Target { get; set; }

    [JsonPropertyName("tags")]
    public Dictionary<string, string>? Tags { get; set; }

    [JsonPropertyName("datapoints")]
    public List<double?[]>? Datapoints { get; set; }
}
