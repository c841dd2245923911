using AioGraphite.Naming;
using AioGraphite.Protocols;
using AioGraphite.TestUtilities;
using Xunit;

namespace AioGraphite.Tests.Protocols;

/// <summary>The limits of carbon's whisper storage, refused at the edge: timestamps in 32 bits, path nodes and paths the file system takes.</summary>
public sealed class WhisperLimitsTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static string? Check(string metric, long timestamp = 1_700_000_000, int prefixBytes = 0, int suffixBytes = 0, double value = 1) =>
        DatapointRules.Check(metric, value, timestamp, prefixBytes, suffixBytes, MetricNameRules.MaxLineBytes, out _);

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(2_147_483_648)] // past 2038: whisper's field is unsigned
    [InlineData(4_294_967_295)]
    public void Check_TimestampWhisperCanStore_IsAccepted(long timestamp) =>
        Assert.Null(Check("a.b", timestamp));

    [Fact]
    public void Check_TimestampOnePastUnsigned32Bits_IsRefusedNamingTheValueAndTheLimit()
    {
        string? reason = Check("a.b", 4_294_967_296, value: 2.5);
        Assert.Equal(
            "its timestamp 4294967296 (value 2.5) is past 4294967295 (2106-02-07 06:28:15 UTC), the latest whisper can store: carbon would take the point, fail to write it and lose the points of the series it holds with it",
            reason);
    }

    [Theory]
    [InlineData(99_999_999_999, null)]
    [InlineData(100_000_000_000, "milliseconds; divide by 1000")]
    [InlineData(1_796_645_755_000, "milliseconds; divide by 1000")]
    [InlineData(99_999_999_999_999, "milliseconds; divide by 1000")]
    [InlineData(100_000_000_000_000, "microseconds; divide by 1000000")]
    [InlineData(1_796_645_755_000_000, "microseconds; divide by 1000000")]
    [InlineData(1_796_645_755_000_000_000, "nanoseconds; divide by 1000000000")]
    [InlineData(long.MaxValue, "nanoseconds; divide by 1000000000")]
    public void Check_TimestampInASmallerUnit_SaysWhatItLooksLike(long timestamp, string? hint)
    {
        string? reason = Check("a.b", timestamp);
        Assert.NotNull(reason);
        Assert.Contains($"its timestamp {timestamp} (value 1) is past 4294967295", reason, StringComparison.Ordinal);
        if (hint is null)
        {
            Assert.DoesNotContain("looks like", reason, StringComparison.Ordinal);
        }
        else
        {
            Assert.EndsWith("; it looks like " + hint, reason, StringComparison.Ordinal);
        }
    }

    [Theory]
    [InlineData(-1)]
    [InlineData(long.MinValue)]
    public void Check_NegativeTimestamp_IsRefusedNamingTheValue(long timestamp) =>
        Assert.Equal($"its timestamp {timestamp} (value 1) is negative", Check("a.b", timestamp));

    [Fact]
    public void Rejected_MillisecondTimestamp_MessageNamesMetricValueAndRemedy()
    {
        ArgumentException ex = DatapointRules.Rejected("app.requests", Check("app.requests", 1_700_000_000_123, value: 42)!, "metric");
        Assert.StartsWith("Datapoint 'app.requests' was rejected: its timestamp 1700000000123 (value 42) is past 4294967295 ", ex.Message, StringComparison.Ordinal);
        Assert.Contains("; it looks like milliseconds; divide by 1000. Nothing of it was sent.", ex.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData('.')]
    [InlineData('/')] // carbon's path separator: a slash in a name makes a directory too
    public void Check_NodeOf255Bytes_IsAcceptedAnd256IsRefused(char separator)
    {
        Assert.Null(Check($"a{separator}{new string('n', 255)}{separator}leaf"));
        string? reason = Check($"a{separator}{new string('n', 256)}{separator}leaf");
        Assert.NotNull(reason);
        Assert.StartsWith("its path node 'nnnn", reason, StringComparison.Ordinal);
        Assert.Contains("is 256 bytes in UTF-8, over the 255 a directory name can have", reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Check_FirstNodeOf256Bytes_IsRefused() =>
        Assert.Contains("is 256 bytes", Check(new string('f', 256) + ".leaf"), StringComparison.Ordinal);

    [Theory]
    [InlineData("a.")]
    [InlineData("a/")]
    [InlineData("")]
    public void Check_LastNodeOf251Bytes_IsAcceptedAnd252IsRefused(string before)
    {
        Assert.Null(Check(before + new string('l', 251)));
        string? reason = Check(before + new string('l', 252));
        Assert.NotNull(reason);
        Assert.StartsWith("its last path node 'llll", reason, StringComparison.Ordinal);
        Assert.Contains("is 252 bytes in UTF-8, over 251: carbon names the file node + '.wsp'", reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Check_NodeLengthsCountUtf8Bytes()
    {
        // '\u20ac' (€) is 3 bytes, '\u00e9' (é) 2, U+1F600 4 (two UTF-16 chars).
        Assert.Null(Check("a." + new string('\u20ac', 85) + ".leaf")); // 255 bytes in 85 chars
        Assert.Contains("is 258 bytes", Check("a." + new string('\u20ac', 86) + ".leaf"), StringComparison.Ordinal);
        Assert.Null(Check("a." + string.Concat(Enumerable.Repeat("\U0001F600", 62)) + "abc")); // last node 251 bytes
        Assert.Contains("is 252 bytes", Check("a." + string.Concat(Enumerable.Repeat("\U0001F600", 63))), StringComparison.Ordinal);
        Assert.Null(Check("\u00e9." + new string('\u00e9', 125) + "e")); // last node 251 bytes
        Assert.Contains("is 252 bytes", Check("\u00e9." + new string('\u00e9', 126)), StringComparison.Ordinal);
    }

    [Fact]
    public void Check_ManyShortNodes_AreAccepted() =>
        Assert.Null(Check(string.Join('.', Enumerable.Repeat("node", 700)))); // 3499 bytes

    [Fact]
    public void Check_WholeName_AcceptedUpTo3836BytesSoThatThePathWithWspIs3840()
    {
        string fits = Name(WhisperLimits.MaxNameBytes);
        Assert.Equal(3836, fits.Length);
        Assert.Null(Check(fits));
        string? reason = Check(Name(3837));
        Assert.Equal("its storage path would be 3841 bytes (the name and '.wsp'), over the 3840 this client allows so that the path with carbon's storage directory in front stays within Linux's PATH_MAX of 4096 bytes", reason);
    }

    [Fact]
    public void Check_WholeName_CountsThePrefix()
    {
        Assert.Null(Check(Name(3836 - 10), prefixBytes: 10));
        Assert.Contains("3841 bytes (the name, its prefix and '.wsp')", Check(Name(3837 - 10), prefixBytes: 10), StringComparison.Ordinal);
    }

    [Fact]
    public void Check_TaggedName_IsStoredUnderItsHash_NodeAndPathLimitsDoNotApply()
    {
        // carbon stores 'name;tags' under _tagged/abc/def/<sha256>.wsp (TAG_HASH_FILENAMES = True by default).
        Assert.Null(Check("cpu;host=" + new string('h', 1000)));
        Assert.Null(Check(new string('n', 300) + ".x;host=web1"));
        Assert.Null(Check("cpu." + Name(5000) + ";host=web1"));

        // The line limit still holds for them.
        Assert.Contains("over the limit of 16384 bytes", Check("cpu;host=" + new string('h', 16380)), StringComparison.Ordinal);
    }

    [Fact]
    public void Check_UntaggedNameGettingDefaultTags_IsTaggedOnTheWire_NodeLimitsDoNotApply() =>
        Assert.Null(Check("a." + new string('n', 300), suffixBytes: ";env=prod".Length));

    [Fact]
    public void Check_TimestampAndNodeLimits_HoldForTaggedNamesOnlyForTheTimestamp()
    {
        Assert.Contains("looks like milliseconds", Check("cpu;host=web1", 1_700_000_000_000), StringComparison.Ordinal);
        Assert.Null(Check("cpu;host=web1", 4_294_967_295));
    }

    [Fact]
    public void MetricPrefix_WithANodeOver255Bytes_IsAnInvalidOption()
    {
        Assert.Null(Record.Exception(() => new GraphiteClientOptions { MetricPrefix = "p." + new string('p', 255) }.Validate()));
        var ex = Assert.Throws<ArgumentException>(() => new GraphiteClientOptions { MetricPrefix = "p." + new string('p', 256) + ".q" }.Validate());
        Assert.Contains("is 256 bytes in UTF-8, over the 255 a directory name can have", ex.Message, StringComparison.Ordinal);
        Assert.Equal("MetricPrefix", ex.ParamName);
    }

    [Fact]
    public void Validator_WithPrefix_CountsThePrefixTowardsThePath()
    {
        var validator = new GraphiteDatapointValidator(new GraphiteClientOptions { MetricPrefix = "servers.web1" }); // 13 bytes with its dot
        Assert.True(validator.TryValidate(new Datapoint(Name(3836 - 13), 1, 1), out _));
        Assert.False(validator.TryValidate(new Datapoint(Name(3837 - 13), 1, 1), out string? reason));
        Assert.Contains("3841 bytes", reason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Client_CachedName_StillRefusesAMillisecondTimestamp_OnTheFastPath()
    {
        // The name passes once and is cached (same string object); the timestamp is checked every time.
        await using LoopbackSink sink = LoopbackSink.Start();
        await using var client = await GraphiteClient.ConnectAsync("127.0.0.1", sink.Port, cancellationToken: Ct);
        string metric = "fast.path";
        await client.SendAsync(metric, 1, 4_294_967_295, Ct);
        Assert.True(client.TrySend(metric, 2, 4_294_967_295));
        Assert.False(client.TrySend(metric, 3, 4_294_967_296));
        var ex = await Assert.ThrowsAsync<ArgumentException>(async () => await client.SendAsync(metric, 4, 1_700_000_000_000, Ct));
        Assert.Contains("looks like milliseconds", ex.Message, StringComparison.Ordinal);
        await client.SendAsync(metric, 5, 1_700_000_000, Ct);
        await client.FlushAsync(Ct);
        await sink.WaitUntilAsync(s => s.AllText.Split('\n').Length > 3, "three lines");
        Assert.Equal("fast.path 1 4294967295\nfast.path 2 4294967295\nfast.path 5 1700000000\n", sink.AllText);
        Assert.Equal(2, client.Statistics.PointsRejected);
    }

    [Fact]
    public async Task Client_Cluster_RefusesMillisecondTimestampsAndLongNodes_OnTheRoutedPath()
    {
        await using LoopbackSink a = LoopbackSink.Start();
        await using LoopbackSink b = LoopbackSink.Start();
        await using var client = await GraphiteClient.ConnectAsync([new GraphiteDestination("127.0.0.1", a.Port, "a"), new GraphiteDestination("127.0.0.1", b.Port, "b")], cancellationToken: Ct);
        string metric = "routed.metric";
        Datapoint[] points =
        [
            new(metric, 1, 100),
            new(metric, 2, 100_000), // the name is now cached by the router
            new(metric, 3, 1_700_000_000_000),
            new("routed." + new string('n', 256) + ".leaf", 4, 100),
            new(metric, 5, 4_294_967_295),
        ];
        var ex = await Assert.ThrowsAsync<ArgumentException>(async () => await client.SendMultipleAsync(points, cancellationToken: Ct));
        Assert.Contains("looks like milliseconds", ex.Message, StringComparison.Ordinal);
        Assert.Contains("2 of 5 datapoints were rejected and the other 3 were accepted", ex.Message, StringComparison.Ordinal);
        Assert.False(client.TrySend(metric, 6, 4_294_967_296));
        await client.FlushAsync(Ct);
        const string Expected = "routed.metric 1 100\nrouted.metric 2 100000\nrouted.metric 5 4294967295\n";
        await Poll.UntilAsync(() => a.AllText + b.AllText == Expected, TimeSpan.FromSeconds(10), () => $"the three valid lines, got: {a.AllText}|{b.AllText}");
        Assert.Equal(3, client.Statistics.PointsRejected);
    }

    [Fact]
    public void GenerateMessage_MillisecondTimestamp_IsRefused()
    {
        var ex = Assert.Throws<ArgumentException>(() => new PlaintextProtocol().GenerateMessage([new("ok", 1, 1), new("ms", 2, 1_700_000_000_000)]));
        Assert.Contains("'ms'", ex.Message, StringComparison.Ordinal);
        Assert.Contains("looks like milliseconds", ex.Message, StringComparison.Ordinal);
        Assert.Contains("datapoint 1", ex.Message, StringComparison.Ordinal);
    }

    /// <summary>An untagged name of exactly <paramref name="bytes"/> ASCII bytes, nodes of 200 bytes.</summary>
    private static string Name(int bytes)
    {
        var chars = new char[bytes];
        for (int i = 0; i < bytes; i++)
        {
            chars[i] = i % 201 == 200 ? '.' : 'x';
        }

        return new string(chars);
    }
}
