using System.Globalization;
using AioGraphite.TestUtilities;
using Xunit;

namespace AioGraphite.IntegrationTests.Infrastructure;

/// <summary>The pure C# whisper reader against files written by Python's whisper module.</summary>
public sealed class WhisperReaderTests : IDisposable
{
    private readonly string dir = Directory.CreateTempSubdirectory("aiographite-whisper-test-").FullName;

    public void Dispose() => Directory.Delete(dir, recursive: true);

    [Fact]
    public async Task Reads_every_archive_like_whisper_fetch()
    {
        var path = Path.Combine(dir, "multi.wsp");
        var output = await PythonScript.RunAsync(
            """
            import sys, time, whisper
            path = sys.argv[1]
            now = int(time.time())
            whisper.create(path, [(1, 60), (10, 60)], xFilesFactor=0, aggregationMethod='last', sparse=True)
            whisper.update_many(path, [(now - 50 + i, i * 1.25 - 7) for i in range(50)])
            whisper.update(path, 123.5, now - 300)   # older than the 1 s archive: only in the 10 s one
            points = {}
            for archive in sorted(whisper.info(path)['archives'], key=lambda a: a['secondsPerPoint']):
                step = archive['secondsPerPoint']
                (start, end, s), values = whisper.fetch(path, now - archive['retention'], now, now=now, archiveToSelect=step)
                for i, v in enumerate(values):
                    if v is not None:
                        points.setdefault(start + i * s, v)
            for ts in sorted(points):
                print(ts, repr(points[ts]))
            """,
            arguments: [path],
            cancellationToken: TestContext.Current.CancellationToken);
        var expected = output.Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Select(l => l.Split(' '))
            .Select(f => (long.Parse(f[0], CultureInfo.InvariantCulture), double.Parse(f[1], CultureInfo.InvariantCulture)))
            .ToList();

        var actual = WhisperReader.ReadAll(path);

        Assert.True(expected.Count >= 51, $"python returned only {expected.Count} points");
        Assert.Equal(expected, actual);
    }

    [Fact]
    public void Truncated_file_is_invalid_data_and_missing_file_is_not_found()
    {
        var path = Path.Combine(dir, "short.wsp");
        File.WriteAllBytes(path, [0, 0, 0, 1, 0, 0]);

        Assert.Throws<InvalidDataException>(() => WhisperReader.ReadAll(path));
        Assert.Throws<FileNotFoundException>(() => WhisperReader.ReadAll(Path.Combine(dir, "missing.wsp")));
    }
}
