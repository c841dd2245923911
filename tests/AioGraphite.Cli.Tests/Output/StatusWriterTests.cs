using AioGraphite.Cli.Output;
using Xunit;

namespace AioGraphite.Cli.Tests.Output;

public sealed class StatusWriterTests
{
    [Fact]
    public void SetStatus_NotATerminal_WritesNothing()
    {
        var error = new StringWriter();
        var status = new StatusWriter(error, live: false);
        status.SetStatus("12 points sent");
        status.WriteLine("line 3: bad");
        Assert.Equal("line 3: bad" + Environment.NewLine, error.ToString());
    }

    [Fact]
    public void SetStatus_Terminal_RedrawsInPlace_AndMessagesClearItFirst()
    {
        var error = new StringWriter();
        var status = new StatusWriter(error, live: true);
        status.SetStatus("1234 sent");
        status.SetStatus("12 sent");
        status.WriteLine("line 3:\nbad");
        Assert.Equal("\r1234 sent\r12 sent  \r       \rline 3: bad" + Environment.NewLine, error.ToString());
    }
}
