// The main job of the README: send metrics to a real carbon with plaintext and pickle through AioGraphite,
// then read them back as users see them, through graphite-web's render API, and save a PNG graph.
// scripts/demo.sh starts carbon and graphite-web and runs this.
//
//   dotnet run --project samples/Demo -- HOST LINE_PORT PICKLE_PORT [GRAPHITE_WEB_URL PNG_PATH]
using System.Globalization;
using AioGraphite;
using AioGraphite.Query;

if (args.Length is not (3 or 5) || !int.TryParse(args[1], CultureInfo.InvariantCulture, out int linePort) || !int.TryParse(args[2], CultureInfo.InvariantCulture, out int picklePort))
{
    Console.Error.WriteLine("usage: Demo HOST LINE_PORT PICKLE_PORT [GRAPHITE_WEB_URL PNG_PATH]   (scripts/demo.sh runs it for you)");
    return 2;
}

string host = args[0];
const int Points = 120;
long start = DateTimeOffset.UtcNow.ToUnixTimeSeconds() - Points;
var sent = new Dictionary<string, double[]>(StringComparer.Ordinal);

try
{
    // Plaintext, one point at a time, like the original's example.
    await using (var plaintext = await GraphiteClient.ConnectAsync(host, linePort, new PlaintextProtocol()))
    {
        double[] sine = [.. Enumerable.Range(0, Points).Select(i => Math.Round(Math.Sin(i / 10.0) * 100, 3))];
        for (int i = 0; i < Points; i++)
        {
            await plaintext.SendAsync("demo.plaintext.sine", sine[i], start + i);
        }

        await plaintext.FlushAsync();
        sent["demo.plaintext.sine"] = sine;
        Print("plaintext", plaintext);
    }

    // Pickle, a batch at a time, with a name made valid by the encoder and a tagged series.
    await using (var pickle = await GraphiteClient.ConnectAsync(host, picklePort, new PickleProtocol()))
    {
        string encoded = "demo." + pickle.CleanAndJoinMetricParts(["pickle", "cos wave @ 10s"]);
        string tagged = GraphiteTags.Format("demo.tagged", ("protocol", "pickle"), ("host", "demo"));
        double[] cos = [.. Enumerable.Range(0, Points).Select(i => Math.Round(Math.Cos(i / 10.0) * 100, 3))];
        var batch = new List<Datapoint>();
        for (int i = 0; i < Points; i++)
        {
            batch.Add(new Datapoint("demo.pickle.cos", cos[i], start + i));
            batch.Add(new Datapoint(encoded, i * 0.5, start + i));
            batch.Add(new Datapoint(tagged, i, start + i));
        }

        await pickle.SendMultipleAsync(batch);
        await pickle.FlushAsync();
        sent["demo.pickle.cos"] = cos;
        Print("pickle", pickle);
        Console.WriteLine($"  encoded name: {encoded}  (its last part decodes to '{GraphiteEncoder.Decode(encoded.Split('.')[2])}')");
        Console.WriteLine($"  tagged name:  {tagged}");
    }
}
catch (GraphiteException ex)
{
    Console.Error.WriteLine(ex.Message);
    return 1;
}

if (args.Length == 3)
{
    return 0;
}

// Read back as users do: graphite-web's render API (JSON) and a PNG graph.
using var http = new HttpClient { BaseAddress = new Uri(args[3]), Timeout = TimeSpan.FromSeconds(30) };
var query = new GraphiteQueryClient(http);
Console.WriteLine($"==> reading back through graphite-web at {args[3]}");
foreach ((string metric, double[] values) in sent)
{
    IReadOnlyList<GraphiteSeries> series = [];
    for (int attempt = 0; attempt < 50; attempt++)
    {
        series = await query.RenderAsync(metric, DateTimeOffset.FromUnixTimeSeconds(start - 1), DateTimeOffset.FromUnixTimeSeconds(start + Points));
        if (series.Count == 1 && series[0].Datapoints.Count >= Points)
        {
            break;
        }

        await Task.Delay(200);
    }

    var stored = series.SelectMany(s => s.Datapoints).ToList();
    int exact = stored.Count(p => p.Timestamp >= start && p.Timestamp < start + Points && p.Value == values[p.Timestamp - start]);
    Console.WriteLine($"    {metric}: graphite-web shows {stored.Count} points, {exact} of {Points} exactly as sent");
    foreach (SeriesPoint p in stored.Take(3).Append(stored[^1]))
    {
        Console.WriteLine(FormattableString.Invariant($"        {DateTimeOffset.FromUnixTimeSeconds(p.Timestamp):HH:mm:ss}  {p.Value}"));
    }
}

IReadOnlyList<GraphiteMetricNode> found = await query.FindMetricsAsync("demo.*.*");
Console.WriteLine($"    /metrics/find?query=demo.*.* → {string.Join(", ", found.Select(n => n.Path))}");

byte[] png = await query.RenderPngAsync("demo.*.{sine,cos}", DateTimeOffset.FromUnixTimeSeconds(start - 1), DateTimeOffset.FromUnixTimeSeconds(start + Points), 800, 400);
string path = Path.GetFullPath(args[4]);
Directory.CreateDirectory(Path.GetDirectoryName(path)!);
await File.WriteAllBytesAsync(path, png);
Console.WriteLine($"==> graph of demo.plaintext.sine and demo.pickle.cos saved to {path} ({png.Length} bytes)");
return 0;

static void Print(string name, GraphiteClient client)
{
    GraphiteClientStatistics s = client.Statistics;
    Console.WriteLine($"sent over {name,-9} to {client.Host}:{client.Port}: {s.PointsWritten} points, {s.BytesWritten} bytes, {s.PointsDropped} dropped");
}
