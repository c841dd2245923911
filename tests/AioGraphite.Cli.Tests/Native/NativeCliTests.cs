using System.CommandLine;
using System.Globalization;
using AioGraphite.Cli.Tests.Integration;
using AioGraphite.TestUtilities;
using Xunit;

namespace AioGraphite.Cli.Tests.Native;

/// <summary>
/// The Native AOT binary (<c>scripts/publish-cli.sh</c>), run as a separate process with an empty environment against
/// a real carbon-cache: it sends, pipes, encodes and decodes as the tool does, and fails the same way on bad input and
/// unreachable carbon.
/// </summary>
public sealed class NativeCliTests(CarbonFixture carbon)
{
    private static readonly string[][] InProcessCases =
    [
        ["--help"],
        ["send", "--help"],
        ["pipe", "--help"],
        ["encode", "--help"],
        ["decode", "--help"],
        [],
        ["bogus"],
        ["send", "a.b"],
        ["send", "a.b", "1", "--port", "0"],
        ["send", "a.b", "1", "--protocol", "json"],
        ["send", "a.b", "1", "--timeout", "soon"],
        ["send", "a b", "1"],
        ["send", "a.b", "nan"],
        ["send", "a.b", "1", "-5"],
        ["send", "a.b", "1", "--tag", "host=~web"],
        ["send", "a;b", "1", "--tag", "h=1"],
        ["pipe", "--input", "/nonexistent/metrics.txt"],
        ["encode", "abc @edf#", "café", "中文", "😀", "velo@zillow.com"],
        ["encode", "--join", "sproc performance", "velo@zillow.com", "::EH12"],
        ["decode", "abc%20%40edf%23-", "caf-dma", "fiq228c"],
        ["decode", "caf-dma", "%zz"],
    ];

    public static TheoryData<string[]> SameAsInProcess() => new(InProcessCases);

    [Fact]
    public async Task Binary_IsOneNativeExecutable_ThatNeedsNoDotnetRuntime()
    {
        string binary = await NativeCli.PathAsync();

        if (OperatingSystem.IsLinux())
        {
            byte[] header = new byte[4];
            await using (FileStream file = File.OpenRead(binary))
            {
                await file.ReadExactlyAsync(header, TestContext.Current.CancellationToken);
            }

            Assert.Equal(new byte[] { 0x7F, (byte)'E', (byte)'L', (byte)'F' }, header);
        }

        Assert.Empty(Directory.GetFiles(Path.GetDirectoryName(binary)!, "*.dll"));
        CliResult version = await NativeCli.RunAsync(["--version"]);
        Assert.True(version.ExitCode == 0, version.ToString());
        Assert.StartsWith("0.1.0", version.Out, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("plaintext", 42.125)]
    [InlineData("pickle", -0.1)]
    [InlineData("udp", 1e-7)]
    public async Task Send_EachProtocol_StoresTheExactValueAndTimestamp(string protocol, double value)
    {
        string metric = $"test.native.send.{protocol}";
        long timestamp = CarbonFixture.Now() - 30;
        int port = carbon.PortFor(protocol);

        CliResult result = await NativeCli.RunAsync(["send", metric, value.ToString("R", CultureInfo.InvariantCulture), Text(timestamp), "--protocol", protocol, "--port", Text(port)]);

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Empty(result.Error);
        Assert.Empty(result.Out);
        Assert.Equal([(timestamp, value)], await carbon.Server.WaitForPointsAsync(metric, 1, CarbonFixture.StoreTimeout));
    }

    [Fact]
    public async Task Send_WithTagsAndGraphiteHost_StoresTheTaggedSeries()
    {
        long timestamp = CarbonFixture.Now() - 20;

        CliResult result = await NativeCli.RunAsync(
            ["send", "test.native.tagged", "81", Text(timestamp), "--tag", "host=web1", "--tag", "dc=eu", "--port", Text(carbon.Server.LinePort)],
            environment: new Dictionary<string, string> { ["GRAPHITE_HOST"] = "localhost" });

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Equal([(timestamp, 81.0)], await carbon.Server.WaitForPointsAsync("test.native.tagged;dc=eu;host=web1", 1, CarbonFixture.StoreTimeout));
    }

    [Fact]
    public async Task Pipe_StandardInput_StoresTheValidLines_NamesTheInvalidOnes_ExitsOne()
    {
        long start = CarbonFixture.Now() - 200;
        string input = string.Concat(Enumerable.Range(0, 100).Select(i => string.Create(CultureInfo.InvariantCulture, $"test.native.pipe {i * 0.5} {start + i}\n")))
            + "test.native.pipe not-a-number\n"
            + "bad;;tag 2\n";

        CliResult result = await NativeCli.RunAsync(["pipe", "--port", Text(carbon.Server.LinePort)], standardInput: input);

        Assert.True(result.ExitCode == 1, result.ToString());
        result.NoStackTrace();
        Assert.Equal("aiographite pipe: line 101: value 'not-a-number' is not a number", result.ErrorLines[0]);
        Assert.StartsWith("aiographite pipe: line 102: Datapoint 'bad;;tag' was rejected", result.ErrorLines[1], StringComparison.Ordinal);
        Assert.StartsWith("aiographite pipe: 102 lines read, 100 points delivered, 2 invalid in ", result.ErrorLines[2], StringComparison.Ordinal);
        Assert.Equal(
            Enumerable.Range(0, 100).Select(i => (start + i, i * 0.5)),
            await carbon.Server.WaitForPointsAsync("test.native.pipe", 100, CarbonFixture.StoreTimeout));
    }

    [Theory]
    [MemberData(nameof(SameAsInProcess))]
    public async Task HelpEncodeDecodeAndMistakes_GiveTheInProcessToolsExitCodeAndOutput(string[] args)
    {
        CliResult inProcess = await CliRun.RunAsync(args);

        CliResult native = await NativeCli.RunAsync(args);

        // Help names the program as it was started: the test host here, the binary's own name there.
        Assert.Equal(inProcess.ExitCode, native.ExitCode);
        Assert.Equal(inProcess.Out.Replace($"  {RootCommand.ExecutableName} ", $"  {CliApplication.Name} ", StringComparison.Ordinal), native.Out);
        Assert.Equal(inProcess.Error, native.Error);
        native.NoStackTrace();
    }

    [Fact]
    public async Task Send_UnreachableCarbon_ExitsTwoWithOneLineNamingHostAndPort()
    {
        string port = Text(FreePorts.AllocateTcp());

        CliResult result = await NativeCli.RunAsync(["send", "test.native.refused", "1", "--port", port, "--timeout", "2"]);

        Assert.True(result.ExitCode == 2, result.ToString());
        Assert.StartsWith($"aiographite send: Unable to connect to Graphite at 127.0.0.1:{port}", result.SingleErrorLine(), StringComparison.Ordinal);
        Assert.Empty(result.Out);
    }

    [Fact]
    public async Task Pipe_UnreachableCarbon_GivesUpAfterTheTimeout_ExitsTwo()
    {
        string port = Text(FreePorts.AllocateTcp());

        CliResult result = await NativeCli.RunAsync(["pipe", "--port", port, "--timeout", "1"], standardInput: "a.b 1 1700000000\na.c 2\n");

        Assert.True(result.ExitCode == 2, result.ToString());
        result.NoStackTrace();
        Assert.Equal(
            $"aiographite pipe: Graphite at 127.0.0.1:{port} (plaintext) consumed nothing for more than 1 s (unreachable, or not reading): gave up at line 2 with 2 of 2 points not delivered.",
            result.ErrorLines[^1]);
        Assert.InRange(result.Elapsed, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(5));
    }

    private static string Text(long number) => number.ToString(CultureInfo.InvariantCulture);
}
