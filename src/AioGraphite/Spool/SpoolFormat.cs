namespace AioGraphite.Spool;

/// <summary>The wire format of a spooled payload.</summary>
internal enum SpoolFormat
{
    /// <summary>carbon's plaintext lines.</summary>
    Plaintext = 0,

    /// <summary>One carbon pickle frame (length prefix included).</summary>
    Pickle = 1,
}
