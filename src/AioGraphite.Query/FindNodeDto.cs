using System.Text.Json.Serialization;

namespace AioGraphite.Query;

/// <summary>One element of <c>/metrics/find?format=json</c>: <c>{"path", "is_leaf", "intervals"}</c>.</summary>
internal sealed class FindNodeDto
{
    [JsonPropertyName("path")]
    public string? Path { get; set; }

    [JsonPropertyName("is_leaf")]
    [JsonConverter(typeof(FlagConverter))]
    public bool IsLeaf { get; set; }
}
