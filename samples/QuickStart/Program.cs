// The example of Python's aiographite (docs, section 2.5) in C#:
// connect, send 10 points of "yun_test.aiographite" 60 s apart, send a name built with
// clean_and_join_metric_parts, close.
//
//   dotnet run --project samples/QuickStart [HOST] [PORT]
//
// HOST and PORT default to $GRAPHITE_HOST / $GRAPHITE_PORT, then to 127.0.0.1 and 2003.
using System.Globalization;
using AioGraphite;

string server = args.Length > 0 ? args[0] : Environment.GetEnvironmentVariable("GRAPHITE_HOST") is { Length: > 0 } h ? h : "127.0.0.1";
string portText = args.Length > 1 ? args[1] : Environment.GetEnvironmentVariable("GRAPHITE_PORT") is { Length: > 0 } p ? p : "2003";
if (!int.TryParse(portText, NumberStyles.None, CultureInfo.InvariantCulture, out int port) || port is < 1 or > 65535)
{
    await Console.Error.WriteLineAsync($"Invalid port '{portText}': expected a number between 1 and 65535.");
    return 2;
}

// Initialize an AioGraphite client: like aiographite's connect(), it connects before returning.
GraphiteClient graphiteConn;
try
{
    graphiteConn = await GraphiteClient.ConnectAsync(server, port, new PlaintextProtocol());
}
catch (GraphiteException ex)
{
    await Console.Error.WriteLineAsync(ex.Message);
    return 1;
}

await using (graphiteConn)
{
    // Send data: 10 points, 60 s apart. The Python example counted forward from now; whisper refuses points in
    // the future, so these count back from now and all of them can be seen in Graphite.
    long timestamp = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
    for (int i = 0; i < 10; i++)
    {
        await graphiteConn.SendAsync("yun_test.aiographite", i, timestamp - (60 * (9 - i)));
    }

    // Any text becomes a valid metric path: each part is one section (GraphiteEncoder.encode, joined with '.').
    string metric = graphiteConn.CleanAndJoinMetricParts(["sproc performance", "velo@zillow.com", "::EH12"]);
    await graphiteConn.SendAsync(metric, 42, timestamp);

    // Close: deliver what is buffered, then disconnect.
    await graphiteConn.CloseAsync();
    GraphiteClientStatistics stats = graphiteConn.Statistics;
    Console.WriteLine($"Sent {stats.PointsWritten} points to {server}:{port.ToString(CultureInfo.InvariantCulture)}, including '{metric}'.");
    return stats.PointsDropped == 0 ? 0 : 1;
}
