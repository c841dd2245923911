using System.Text.Json;
using System.Text.Json.Serialization;

namespace AioGraphite.Query;

/// <summary>Reads graphite-web's flags, which are <c>0</c>/<c>1</c> (or, in some versions, <c>true</c>/<c>false</c> or strings).</summary>
internal sealed class FlagConverter : JsonConverter<bool>
{
    public override bool Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) => reader.TokenType switch
    {
        JsonTokenType.True => true,
        JsonTokenType.False or JsonTokenType.Null => false,
        JsonTokenType.Number => reader.GetDouble() != 0,
        JsonTokenType.String => reader.GetString() is { } s && s is not ("" or "0" or "false" or "False"),
        _ => throw new JsonException($"Expected a 0/1 flag, got {reader.TokenType}."),
    };

    public override void Write(Utf8JsonWriter writer, bool value, JsonSerializerOptions options)
    {
        ArgumentNullException.ThrowIfNull(writer);
        writer.WriteNumberValue(value ? 1 : 0);
    }
}
