using System.Text;
using AioGraphite.Protocols;
using AioGraphite.Spool;
using Xunit;

namespace AioGraphite.Tests.Spool;

/// <summary>The <c>identity</c> file: a spool directory belongs to the destination written in it.</summary>
public sealed class SpoolIdentityTests : IDisposable
{
    private static readonly GraphiteSpoolIdentity Carbon = new("carbon.example", 2003, GraphiteTransport.Tcp, GraphiteSpoolIdentity.Plaintext, Tls: false);
    private readonly string _root = Directory.CreateDirectory(Path.Combine(Path.GetTempPath(), $"aiographite-spool-identity-{Guid.NewGuid():N}")).FullName;

    public void Dispose() => Directory.Delete(_root, recursive: true);

    private DestinationSpool Open(GraphiteSpoolIdentity identity, out SpoolRecovery recovery) =>
        DestinationSpool.Open(_root, identity, 1L << 30, 64 << 10, out recovery);

    private string DirectoryOf(GraphiteSpoolIdentity identity) => SpoolDirectoryLayout.ForIdentity(_root, identity);

    /// <summary>Opens a spool for <paramref name="identity"/> and leaves one record of <paramref name="points"/> points in it.</summary>
    private void LeaveRecord(GraphiteSpoolIdentity identity, int points)
    {
        using DestinationSpool spool = Open(identity, out _);
        byte[] text = Encoding.ASCII.GetBytes(string.Concat(Enumerable.Range(0, points).Select(i => $"identity.unit {i} 1700000000\n")));
        var segment = new Segment(text.Length) { Points = points, Sequence = 1, Length = text.Length };
        text.CopyTo(segment.Buffer, 0);
        Assert.True(spool.TryAppend([segment], [], out string? failure), failure);
        spool.Sync();
    }

    private static GraphiteSpoolIdentity? ReadIdentity(string directory)
    {
        SpoolIdentityFile.State state = SpoolIdentityFile.Read(SpoolFileSystem.Default, directory, out GraphiteSpoolIdentity? identity);
        return state == SpoolIdentityFile.State.Valid ? identity : null;
    }

    [Fact]
    public void NewDirectory_GetsItsIdentity_WithItsFirstRecordFile()
    {
        LeaveRecord(Carbon, points: 1);
        string directory = DirectoryOf(Carbon);

        Assert.Equal(Path.Combine(_root, "carbon.example_tcp_2003_plaintext"), directory);
        Assert.Equal(Carbon, ReadIdentity(directory));
        string text = File.ReadAllText(Path.Combine(directory, SpoolIdentityFile.Name));
        Assert.StartsWith("aiographite-spool-identity 1\nhost carbon.example\nport 2003\ntransport tcp\nprotocol plaintext\ncrc32c ", text, StringComparison.Ordinal);
    }

    [Fact]
    public void Format_ThenParse_RoundTrips_AndAFlippedByteIsDamage()
    {
        var identity = new GraphiteSpoolIdentity("::1", 2443, GraphiteTransport.Tcp, GraphiteSpoolIdentity.Pickle, Tls: true);
        byte[] content = SpoolIdentityFile.Format(identity);
        Assert.Equal(identity, SpoolIdentityFile.Parse(content));

        content[Array.IndexOf(content, (byte)'2')] = (byte)'3'; // port 2443 -> 3443: the checksum fails
        Assert.Null(SpoolIdentityFile.Parse(content));
        Assert.Null(SpoolIdentityFile.Parse("host x\n"u8));
    }

    [Fact]
    public void Open_LegacyDirectoryWithoutIdentity_KeepsItsRecords_AndGetsAnIdentity()
    {
        LeaveRecord(Carbon, points: 3);
        string directory = DirectoryOf(Carbon);
        File.Delete(Path.Combine(directory, SpoolIdentityFile.Name)); // as a spool written before identities existed

        using DestinationSpool spool = Open(Carbon, out SpoolRecovery recovery);

        Assert.Equal(3, recovery.Points);
        Assert.Equal(Carbon, ReadIdentity(directory));
    }

    [Fact]
    public void Open_DirectoryWhoseIdentityNamesAnotherDestination_IsRefused_AndItsRecordsStay()
    {
        // "a:b" and "a_b" make the same directory name: the identity tells them apart.
        var colon = Carbon with { Host = "carbon:example" };
        var underscore = Carbon with { Host = "carbon_example" };
        Assert.Equal(DirectoryOf(colon), DirectoryOf(underscore));
        LeaveRecord(colon, points: 2);
        string record = Path.Combine(DirectoryOf(colon), SpoolFile.NameFor(1));
        byte[] before = File.ReadAllBytes(record);

        var ex = Assert.Throws<GraphiteException>(() => Open(underscore, out _));

        Assert.Contains($"'{DirectoryOf(colon)}' holds records for [carbon:example]:2003 plaintext over tcp, not for carbon_example:2003 plaintext over tcp", ex.Message, StringComparison.Ordinal);
        Assert.Contains("aiographite spool drain", ex.Message, StringComparison.Ordinal);
        Assert.Equal(before, File.ReadAllBytes(record));
        Assert.Equal(colon, ReadIdentity(DirectoryOf(colon)));
        using DestinationSpool owner = Open(colon, out SpoolRecovery recovery); // the refusal released the lock
        Assert.Equal(2, recovery.Points);
    }

    [Fact]
    public void Open_DamagedIdentity_IsReplaced()
    {
        LeaveRecord(Carbon, points: 1);
        string path = Path.Combine(DirectoryOf(Carbon), SpoolIdentityFile.Name);
        File.WriteAllText(path, "garbage");

        using DestinationSpool spool = Open(Carbon, out SpoolRecovery recovery);

        Assert.Equal(1, recovery.Points);
        Assert.Equal(Carbon, ReadIdentity(spool.Directory));
    }

    [Fact]
    public void Open_SameListenerNowOverTls_AdoptsTheRecords_AndRecordsTls()
    {
        LeaveRecord(Carbon, points: 4);
        var tls = Carbon with { Tls = true };

        using DestinationSpool spool = Open(tls, out SpoolRecovery recovery);

        Assert.Equal(4, recovery.Points);
        Assert.Equal(tls, ReadIdentity(spool.Directory));
    }

    [Fact]
    public void Close_OfAnEmptySpool_RemovesTheDirectory_IdentityIncluded()
    {
        LeaveRecord(Carbon, points: 1);
        string directory = DirectoryOf(Carbon);
        using (DestinationSpool spool = Open(Carbon, out SpoolRecovery recovery))
        {
            Assert.True(File.Exists(Path.Combine(directory, SpoolIdentityFile.Name)));
            spool.RemoveIfEmpty(recovery.HighestSequence); // every record retired
        }

        Assert.False(Directory.Exists(directory));
    }

    [Theory]
    [InlineData("127.0.0.1_tcp_2003_plaintext", "127.0.0.1", 2003, GraphiteTransport.Tcp, "plaintext")]
    [InlineData("my_host_udp_2004_plaintext", "my_host", 2004, GraphiteTransport.Udp, "plaintext")]
    [InlineData("__1_tcp_2004_pickle", "__1", 2004, GraphiteTransport.Tcp, "pickle")]
    public void FromDirectoryName_ReadsWhatTheNameSays(string name, string host, int port, GraphiteTransport transport, string protocol) =>
        Assert.Equal(new GraphiteSpoolIdentity(host, port, transport, protocol, Tls: false), SpoolIdentityFile.FromDirectoryName(name));

    [Theory]
    [InlineData("notes")]
    [InlineData("carbon_tcp_99999_plaintext")]
    [InlineData("carbon_sctp_2003_plaintext")]
    [InlineData("_tcp_2003_plaintext")]
    [InlineData("carbon_tcp_2003_json")]
    public void FromDirectoryName_NotASpoolName_IsNull(string name) =>
        Assert.Null(SpoolIdentityFile.FromDirectoryName(name));
}
