using System.Net;
using Microsoft.Extensions.Options;

namespace AioGraphite.Extensions.Hosting;

/// <summary>
/// Checks <see cref="GraphiteOptions"/> when the host starts: host, port and protocol here, every client setting
/// through <see cref="GraphiteClientOptions.Validate"/>. Each failure names the configuration key (for example
/// <c>Graphite:Port</c>) when the options were bound from a section, else the property (<c>GraphiteOptions.Port</c>).
/// </summary>
internal sealed class GraphiteOptionsValidator : IValidateOptions<GraphiteOptions>
{
    private readonly string _keyPrefix;

    /// <param name="sectionPath">The configuration section's path (<c>Graphite</c>), or <see langword="null"/> when configured in code.</param>
    public GraphiteOptionsValidator(string? sectionPath)
    {
        _keyPrefix = string.IsNullOrEmpty(sectionPath) ? nameof(GraphiteOptions) + "." : sectionPath + ":";
    }

    public ValidateOptionsResult Validate(string? name, GraphiteOptions options)
    {
        if (name is not null && name != Options.DefaultName)
        {
            return ValidateOptionsResult.Skip;
        }

        ArgumentNullException.ThrowIfNull(options);
        var failures = new List<string>();
        if (string.IsNullOrWhiteSpace(options.Host))
        {
            failures.Add($"{Key(nameof(GraphiteOptions.Host))} is required: carbon's host name or IP address.");
        }
        else if (options.Host.Any(char.IsWhiteSpace))
        {
            failures.Add($"{Key(nameof(GraphiteOptions.Host))} '{options.Host}' contains whitespace; it must be a host name or IP address.");
        }

        if (options.Port is int port && (port < 1 || port > IPEndPoint.MaxPort))
        {
            failures.Add($"{Key(nameof(GraphiteOptions.Port))} {port} is out of range: use 1 to 65535 (or leave it out for 2003 plaintext / 2004 pickle).");
        }

        bool pickle = GraphiteOptions.IsPickle(options.Protocol);
        if (!pickle && !GraphiteOptions.IsPlaintext(options.Protocol))
        {
            failures.Add($"{Key(nameof(GraphiteOptions.Protocol))} '{options.Protocol}' is not supported: use 'plaintext' or 'pickle'.");
        }

        if (pickle && options.Transport == GraphiteTransport.Udp)
        {
            failures.Add($"{Key(nameof(GraphiteOptions.Protocol))} 'pickle' cannot be used with {Key(nameof(GraphiteOptions.Transport))} 'Udp': carbon's UDP listener reads plaintext lines only.");
        }

        ValidateTls(options.Tls, failures);
        if (string.IsNullOrEmpty(options.Spool.Directory) && options.Spool.AnyChanged)
        {
            failures.Add($"{Key("Spool:Directory")} is not set but other {Key("Spool")} settings are given: set {Key("Spool:Directory")} to use a disk spool (or remove them); the client would keep points in memory only.");
        }

        try
        {
            options.ToClientOptions().Validate();
        }
        catch (ArgumentException ex)
        {
            string message = ex.Message.ReplaceLineEndings(" ");

            // Nested settings are named Tls.ClientKeyPath by the library: Graphite:Tls:ClientKeyPath here; SpoolMaxBytes is Graphite:Spool:MaxBytes.
            failures.Add(ex.ParamName is { Length: > 0 } param ? $"{Key(GraphiteSpoolSettings.KeyOf(param) ?? param.Replace('.', ':'))} is invalid: {message}" : message);
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    /// <summary>TLS: settings without <c>Enabled</c>, and files that do not exist (checked once, at start-up; read again on every connection).</summary>
    private void ValidateTls(GraphiteTlsSettings tls, List<string> failures)
    {
        if (!tls.Enabled)
        {
            if (tls.AnySet)
            {
                failures.Add($"{Key("Tls:Enabled")} is not true but other {Key("Tls")} settings are given: set {Key("Tls:Enabled")} to true to use TLS (or remove them); the client would send in plaintext.");
            }

            return;
        }

        foreach ((string name, string? path) in new[] { ("CaBundlePath", tls.CaBundlePath), ("ClientCertificatePath", tls.ClientCertificatePath), ("ClientKeyPath", tls.ClientKeyPath) })
        {
            if (!string.IsNullOrEmpty(path) && !File.Exists(path))
            {
                failures.Add($"{Key("Tls:" + name)} '{path}' does not exist (or is not readable by this process).");
            }
        }
    }

    private string Key(string property) => _keyPrefix + property;
}
