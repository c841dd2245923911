using AioGraphite.TestUtilities;
using Xunit;

namespace AioGraphite.IntegrationTests.Infrastructure;

public sealed class PythonScriptTests
{
    [Fact]
    public async Task Text_in_text_out_with_arguments()
    {
        var output = await PythonScript.RunAsync(
            "import sys; print(sys.stdin.read().upper() + sys.argv[1])",
            "héllo ",
            ["wörld"],
            TestContext.Current.CancellationToken);

        Assert.Equal("HÉLLO wörld\n", output);
    }

    [Fact]
    public async Task Bytes_in_bytes_out()
    {
        var output = await PythonScript.RunBinaryAsync(
            "import sys; sys.stdout.buffer.write(bytes(reversed(sys.stdin.buffer.read())))",
            new byte[] { 0, 1, 2, 255 },
            cancellationToken: TestContext.Current.CancellationToken);

        Assert.Equal(new byte[] { 255, 2, 1, 0 }, output);
    }

    [Fact]
    public async Task Failure_throws_with_stderr()
    {
        var ex = await Assert.ThrowsAsync<InvalidOperationException>(
            () => PythonScript.RunAsync("import sys\nsys.stderr.write('boom here')\nsys.exit(3)", cancellationToken: TestContext.Current.CancellationToken));

        Assert.Contains("boom here", ex.Message, StringComparison.Ordinal);
        Assert.Contains("code 3", ex.Message, StringComparison.Ordinal);
    }
}
