namespace AioGraphite.Cli.Commands;

/// <summary>Where and how a command sends: resolved from <c>--host</c>, <c>--port</c>, <c>--protocol</c>, <c>--timeout</c> and the <c>--tls*</c> options.</summary>
/// <param name="Host">carbon's host.</param>
/// <param name="Port">carbon's port.</param>
/// <param name="ProtocolName"><c>plaintext</c>, <c>pickle</c> or <c>udp</c>.</param>
/// <param name="Timeout">The command's timeout.</param>
internal sealed record Endpoint(string Host, int Port, string ProtocolName, TimeSpan Timeout)
{
    /// <summary>TLS, or null for plaintext TCP / UDP.</summary>
    public GraphiteTlsOptions? Tls { get; init; }

    /// <summary>The wire protocol for the client.</summary>
    public IGraphiteProtocol Protocol => ProtocolName == ConnectionOptions.Pickle ? new PickleProtocol() : new PlaintextProtocol();

    /// <summary>The transport for the client.</summary>
    public GraphiteTransport Transport => ProtocolName == ConnectionOptions.Udp ? GraphiteTransport.Udp : GraphiteTransport.Tcp;

    /// <summary>The timeout in seconds, for messages.</summary>
    public string TimeoutText => ConnectionOptions.Seconds(Timeout);

    /// <inheritdoc/>
    public override string ToString() =>
        Host.Contains(':', StringComparison.Ordinal) ? $"[{Host}]:{Port} ({Kind})" : $"{Host}:{Port} ({Kind})";

    private string Kind => Tls is null ? ProtocolName : $"{ProtocolName} over TLS";
}
