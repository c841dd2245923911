using System.Text.Json.Serialization;

namespace AioGraphite.Query;

/// <summary>One element of <c>/metrics/find?format=treejson</c>: <c>{"id", "text", "leaf", "allowChildren", "expandable"}</c> (flags are 0/1).</summary>
internal sealed class FindNodeDto
{
    [JsonPropertyName("id")]
    public string? Id { get; set; }

    [JsonPropertyName("text")]
    public string? Text { get; set; }

    [JsonPropertyName("leaf")]
    [JsonConverter(typeof(FlagConverter))]
    public bool Leaf { get; set; }

    [JsonPropertyName("allowChildren")]
    [JsonConverter(typeof(FlagConverter))]
    public bool AllowChildren { get; set; }

    [JsonPropertyName("expandable")]
    [JsonConverter(typeof(FlagConverter))]
    public bool Expandable { get; set; }
}
