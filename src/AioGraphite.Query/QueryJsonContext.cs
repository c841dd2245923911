using System.Text.Json.Serialization;

namespace AioGraphite.Query;

/// <summary>Source-generated (trimming and AOT safe) JSON metadata for graphite-web's answers.</summary>
[JsonSourceGenerationOptions(NumberHandling = JsonNumberHandling.AllowReadingFromString | JsonNumberHandling.AllowNamedFloatingPointLiterals)]
[JsonSerializable(typeof(List<RenderSeriesDto>))]
[JsonSerializable(typeof(List<FindNodeDto>))]
internal sealed partial class QueryJsonContext : JsonSerializerContext
{
}
