using System.CommandLine;
using System.CommandLine.Parsing;
using System.Globalization;

namespace AioGraphite.Cli.Commands;

/// <summary>
/// The options every sending command shares: <c>--host</c>, <c>--port</c>, <c>--protocol</c>, <c>--timeout</c>, and TLS:
/// <c>--tls</c>, <c>--tls-ca</c>, <c>--tls-cert</c>, <c>--tls-key</c>, <c>--tls-insecure</c> (any of them turns TLS on).
/// </summary>
internal sealed class ConnectionOptions
{
    /// <summary>The host when neither <c>--host</c> nor <c>GRAPHITE_HOST</c> is given.</summary>
    public const string DefaultHost = "127.0.0.1";

    /// <summary>The environment variable that overrides <see cref="DefaultHost"/>.</summary>
    public const string HostVariable = "GRAPHITE_HOST";

    /// <summary>carbon's line protocol over TCP.</summary>
    public const string Plaintext = "plaintext";

    /// <summary>carbon's pickle protocol over TCP.</summary>
    public const string Pickle = "pickle";

    /// <summary>carbon's line protocol over UDP.</summary>
    public const string Udp = "udp";

    private const double MaxTimeoutSeconds = 86_400;

    private readonly CliConsole _console;

    /// <summary>Creates the options.</summary>
    /// <param name="console">Where <c>GRAPHITE_HOST</c> is read.</param>
    /// <param name="defaultTimeoutSeconds">The default of <c>--timeout</c>.</param>
    /// <param name="timeoutDescription">What <c>--timeout</c> means for the command.</param>
    public ConnectionOptions(CliConsole console, double defaultTimeoutSeconds, string timeoutDescription)
    {
        _console = console;
        Host = new Option<string>("--host")
        {
            Description = $"carbon's host name or IP address; the {HostVariable} environment variable overrides the default",
            HelpName = "HOST",
            DefaultValueFactory = _ => console.GetEnvironmentVariable(HostVariable) is { Length: > 0 } host ? host.Trim() : DefaultHost,
        };
        Host.Validators.Add(static result =>
        {
            if (string.IsNullOrWhiteSpace(result.GetValueOrDefault<string>()))
            {
                result.AddError("--host must not be empty.");
            }
        });

        Port = new Option<int?>("--port", "-p")
        {
            Description = "carbon's port [default: 2003 for plaintext and udp, 2004 for pickle]",
            HelpName = "PORT",
        };
        Port.CustomParser = static result =>
        {
            string text = LastToken(result);
            if (int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out int port) && port is >= 1 and <= 65535)
            {
                return port;
            }

            result.AddError($"--port must be a number between 1 and 65535, not '{text}'.");
            return null;
        };

        Protocol = new Option<string>("--protocol")
        {
            Description = "plaintext (TCP line protocol), pickle (TCP) or udp (line protocol over UDP, fire and forget)",
            HelpName = "plaintext|pickle|udp",
            DefaultValueFactory = _ => Plaintext,
        };
        Protocol.AcceptOnlyFromAmong(StringComparer.OrdinalIgnoreCase, Plaintext, Pickle, Udp);

        Timeout = new Option<double>("--timeout")
        {
            Description = timeoutDescription,
            HelpName = "SECONDS",
            DefaultValueFactory = _ => defaultTimeoutSeconds,
        };
        Timeout.CustomParser = static result =>
        {
            string text = LastToken(result);
            if (double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out double seconds) && seconds > 0 && seconds <= MaxTimeoutSeconds)
            {
                return seconds;
            }

            result.AddError($"--timeout must be a number of seconds above 0 and at most {MaxTimeoutSeconds}, not '{text}'.");
            return 0;
        };

        Tls = new Option<bool>("--tls")
        {
            Description = "Connect with TLS (1.2 or newer) to a TLS terminator in front of carbon (stunnel, carbon-c-relay's ssl listener, HAProxy); "
                + "the server's certificate is checked against the system's CAs and --host. Give --port: the terminator's port, not carbon's",
        };
        TlsCa = new Option<string?>("--tls-ca")
        {
            Description = "Trust the CA certificate(s) in FILE (PEM) instead of the system's CAs (implies --tls)",
            HelpName = "FILE",
        };
        TlsCert = new Option<string?>("--tls-cert")
        {
            Description = "Mutual TLS: present the client certificate in FILE (PEM; its key too unless --tls-key is given; implies --tls)",
            HelpName = "FILE",
        };
        TlsKey = new Option<string?>("--tls-key")
        {
            Description = "The private key (PEM) of --tls-cert",
            HelpName = "FILE",
        };
        TlsInsecure = new Option<bool>("--tls-insecure")
        {
            Description = "Do NOT verify the server's certificate (like curl -k; implies --tls). For testing only: anyone on the path can read and change the metrics",
        };
    }

    /// <summary><c>--host</c>.</summary>
    public Option<string> Host { get; }

    /// <summary><c>--port</c>.</summary>
    public Option<int?> Port { get; }

    /// <summary><c>--protocol</c>.</summary>
    public Option<string> Protocol { get; }

    /// <summary><c>--timeout</c>.</summary>
    public Option<double> Timeout { get; }

    /// <summary><c>--tls</c>.</summary>
    public Option<bool> Tls { get; }

    /// <summary><c>--tls-ca FILE</c>.</summary>
    public Option<string?> TlsCa { get; }

    /// <summary><c>--tls-cert FILE</c>.</summary>
    public Option<string?> TlsCert { get; }

    /// <summary><c>--tls-key FILE</c>.</summary>
    public Option<string?> TlsKey { get; }

    /// <summary><c>--tls-insecure</c>.</summary>
    public Option<bool> TlsInsecure { get; }

    /// <summary>Formats seconds for messages: <c>5 s</c>, <c>0.5 s</c>.</summary>
    /// <param name="time">A duration.</param>
    /// <returns>The text.</returns>
    public static string Seconds(TimeSpan time) => string.Create(CultureInfo.InvariantCulture, $"{time.TotalSeconds:0.###} s");

    private static string LastToken(ArgumentResult result) => result.Tokens.Count > 0 ? result.Tokens[^1].Value : string.Empty;

    /// <summary>Adds the options to <paramref name="command"/>.</summary>
    /// <param name="command">The command.</param>
    public void AddTo(Command command)
    {
        command.Options.Add(Host);
        command.Options.Add(Port);
        command.Options.Add(Protocol);
        command.Options.Add(Timeout);
        command.Options.Add(Tls);
        command.Options.Add(TlsCa);
        command.Options.Add(TlsCert);
        command.Options.Add(TlsKey);
        command.Options.Add(TlsInsecure);
    }

    /// <summary>Reads the options from a parse result, applying the defaults.</summary>
    /// <param name="result">The parse result.</param>
    /// <returns>The endpoint.</returns>
    /// <exception cref="CliException">The TLS options do not fit together, or a file they name cannot be read.</exception>
    public Endpoint Resolve(ParseResult result)
    {
        var endpoint = new Endpoint(result.GetValue(Host)!.Trim(), Port: 0, result.GetValue(Protocol)!.ToLowerInvariant(), TimeSpan.FromSeconds(result.GetValue(Timeout)));
        endpoint = endpoint with { Port = result.GetValue(Port) ?? GraphiteDefaultPorts.For(endpoint.Protocol, endpoint.Transport) };
        return endpoint with { Tls = ResolveTls(result, endpoint) };
    }

    /// <summary>Whether <paramref name="option"/> was given on the command line (not left to its default).</summary>
    /// <param name="result">The parse result.</param>
    /// <param name="option">The option.</param>
    /// <returns>Whether it was given.</returns>
    public static bool IsGiven(ParseResult result, Option option) => result.GetResult(option) is { Implicit: false };

    /// <summary>An endpoint for <paramref name="host"/>, <paramref name="port"/> and <paramref name="protocolName"/> (a spool's identity) with this command's <c>--timeout</c> and TLS options.</summary>
    /// <param name="result">The parse result.</param>
    /// <param name="host">carbon's host.</param>
    /// <param name="port">carbon's port.</param>
    /// <param name="protocolName"><c>plaintext</c>, <c>pickle</c> or <c>udp</c>.</param>
    /// <param name="tls">Whether to use TLS (with the system's CAs) when no <c>--tls*</c> option is given.</param>
    /// <returns>The endpoint.</returns>
    /// <exception cref="CliException">The TLS options do not fit together, or a file they name cannot be read.</exception>
    public Endpoint ResolveFor(ParseResult result, string host, int port, string protocolName, bool tls)
    {
        var endpoint = new Endpoint(host, port, protocolName, TimeSpan.FromSeconds(result.GetValue(Timeout)));
        return endpoint with { Tls = ResolveTls(result, endpoint) ?? (tls ? new GraphiteTlsOptions() : null) };
    }

    /// <summary>The TLS options, or null without any <c>--tls*</c> option; warns on standard error about <c>--tls-insecure</c>.</summary>
    private GraphiteTlsOptions? ResolveTls(ParseResult result, Endpoint endpoint)
    {
        string? ca = result.GetValue(TlsCa);
        string? cert = result.GetValue(TlsCert);
        string? key = result.GetValue(TlsKey);
        bool insecure = result.GetValue(TlsInsecure);
        if (!result.GetValue(Tls) && ca is null && cert is null && key is null && !insecure)
        {
            return null;
        }

        if (endpoint.Transport == GraphiteTransport.Udp)
        {
            throw new CliException("--tls needs TCP: use --protocol plaintext or pickle (carbon has no TLS over UDP).");
        }

        CheckReadable("--tls-ca", ca);
        CheckReadable("--tls-cert", cert);
        CheckReadable("--tls-key", key);
        var tls = new GraphiteTlsOptions
        {
            CaBundlePath = ca is null ? null : Path.GetFullPath(ca),
            ClientCertificatePath = cert is null ? null : Path.GetFullPath(cert),
            ClientKeyPath = key is null ? null : Path.GetFullPath(key),
            InsecureSkipVerify = insecure,
        };
        try
        {
            tls.Validate(); // the library's rules, told with the options' names
        }
        catch (ArgumentException ex)
        {
            throw new CliException(WithOptionNames(ex.Message));
        }

        if (insecure)
        {
            _console.Error.WriteLine($"{CliApplication.CommandPath(result)}: WARNING: --tls-insecure: the server's certificate is NOT verified; anyone on the path to {endpoint} can impersonate it and read or change the metrics. Use it for testing only.");
        }

        return tls;
    }

    /// <summary>A message of <see cref="GraphiteTlsOptions.Validate()"/> with the command-line options in place of the properties they set.</summary>
    private static string WithOptionNames(string message) => message
        .Replace(nameof(GraphiteTlsOptions.CaBundlePath), "--tls-ca", StringComparison.Ordinal)
        .Replace(nameof(GraphiteTlsOptions.ClientCertificatePath), "--tls-cert", StringComparison.Ordinal)
        .Replace(nameof(GraphiteTlsOptions.ClientKeyPath), "--tls-key", StringComparison.Ordinal)
        .Replace(nameof(GraphiteTlsOptions.InsecureSkipVerify), "--tls-insecure", StringComparison.Ordinal);

    /// <summary>Opens the file once to fail early with the option's name (the library reads it again at every connection; its contents are never printed).</summary>
    private static void CheckReadable(string option, string? path)
    {
        if (path is null)
        {
            return;
        }

        try
        {
            using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or ArgumentException or NotSupportedException)
        {
            throw new CliException($"{option} '{path}' cannot be read: {ex.Message}");
        }
    }
}
