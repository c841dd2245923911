// The main job of the README: send metrics to a real carbon with plaintext and pickle through AioGraphite.
// scripts/demo.sh starts the carbon, runs this, then reads back what carbon stored.
//
//   dotnet run --project samples/Demo -- HOST LINE_PORT PICKLE_PORT [POINTS]
using System.Globalization;
using AioGraphite;

if (args.Length < 3 || !int.TryParse(args[1], CultureInfo.InvariantCulture, out int linePort) || !int.TryParse(args[2], CultureInfo.InvariantCulture, out int picklePort))
{
    Console.Error.WriteLine("usage: Demo HOST LINE_PORT PICKLE_PORT [POINTS]   (scripts/demo.sh runs it for you)");
    return 2;
}

string host = args[0];
int points = args.Length > 3 ? int.Parse(args[3], CultureInfo.InvariantCulture) : 120;
long now = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
long start = now - points;

try
{
    // Plaintext, one point at a time, like the original's example.
    await using (var plaintext = await GraphiteClient.ConnectAsync(host, linePort, new PlaintextProtocol()))
    {
        for (int i = 0; i < points; i++)
        {
            await plaintext.SendAsync("demo.plaintext.sine", Math.Round(Math.Sin(i / 10.0) * 100, 3), start + i);
        }

        await plaintext.FlushAsync();
        Print("plaintext", plaintext);
    }

    // Pickle, a batch at a time, with a name made valid by the encoder and a tagged series.
    await using (var pickle = await GraphiteClient.ConnectAsync(host, picklePort, new PickleProtocol()))
    {
        string encoded = "demo." + pickle.CleanAndJoinMetricParts(["pickle", "cos wave @ 10s"]);
        string tagged = GraphiteTags.Format("demo.tagged", ("protocol", "pickle"), ("host", Environment.MachineName));
        var batch = new List<Datapoint>();
        for (int i = 0; i < points; i++)
        {
            batch.Add(new Datapoint("demo.pickle.cos", Math.Round(Math.Cos(i / 10.0) * 100, 3), start + i));
            batch.Add(new Datapoint(encoded, i * 0.5, start + i));
            batch.Add(new Datapoint(tagged, i, start + i));
        }

        await pickle.SendMultipleAsync(batch);
        await pickle.FlushAsync();
        Print("pickle", pickle);
        Console.WriteLine($"  encoded name: {encoded}  (decodes to '{GraphiteEncoder.Decode(encoded.Split('.')[2])}')");
        Console.WriteLine($"  tagged name:  {tagged}");
    }
}
catch (GraphiteException ex)
{
    Console.Error.WriteLine(ex.Message);
    return 1;
}

return 0;

static void Print(string name, GraphiteClient client)
{
    GraphiteClientStatistics s = client.Statistics;
    Console.WriteLine($"sent over {name,-9} to {client.Host}:{client.Port}: {s.PointsWritten} points, {s.BytesWritten} bytes, {s.PointsDropped} dropped");
}
