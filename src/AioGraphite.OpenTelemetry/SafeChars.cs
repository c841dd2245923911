using System.Buffers;

namespace AioGraphite.OpenTelemetry;

/// <summary>Character sets of the naming rules.</summary>
internal static class SafeChars
{
    /// <summary>What a sanitized path segment keeps.</summary>
    public static readonly SearchValues<char> Segment = SearchValues.Create("-0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ_abcdefghijklmnopqrstuvwxyz");

    /// <summary>What carbon forbids in a tag name (besides whitespace and control characters).</summary>
    public const string TagKeyBanned = ";!^=";

    /// <summary>What carbon forbids in a tag value (besides whitespace and control characters).</summary>
    public const string TagValueBanned = ";";
}
