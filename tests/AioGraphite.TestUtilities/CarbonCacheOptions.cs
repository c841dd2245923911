namespace AioGraphite.TestUtilities;

/// <summary>Settings for a throw-away <see cref="CarbonCacheServer"/>.</summary>
public sealed class CarbonCacheOptions
{
    /// <summary>Whisper retentions for every metric (storage-schemas.conf). Default <c>1s:1h</c>: points older than one hour are dropped silently.</summary>
    public string Retentions { get; init; } = "1s:1h";

    /// <summary>storage-aggregation.conf <c>aggregationMethod</c>. Default <c>last</c>.</summary>
    public string AggregationMethod { get; init; } = "last";

    /// <summary>storage-aggregation.conf <c>xFilesFactor</c>. Default 0.</summary>
    public double XFilesFactor { get; init; }

    /// <summary>carbon's <c>ENABLE_TAGS</c>. Default false: true only makes carbon POST new series to graphite-web; storage is the same.</summary>
    public bool EnableTags { get; init; }

    /// <summary>carbon's <c>TAG_HASH_FILENAMES</c>. Default true: tagged series are stored as <c>_tagged/abc/def/&lt;sha256&gt;.wsp</c>.</summary>
    public bool TagHashFilenames { get; init; } = true;

    /// <summary>How long to wait for carbon to listen on all its ports. Default 30 s.</summary>
    public TimeSpan StartTimeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// carbon's <c>MAX_UPDATES_PER_SECOND</c>: whisper updates per second, each writing the cached points of one series.
    /// Default <see langword="null"/> = <c>inf</c>. A low value makes a loaded carbon: its cache holds about
    /// series ÷ this many seconds of points, all lost on SIGKILL (5 with 50 series: ~10 s).
    /// </summary>
    public int? MaxUpdatesPerSecond { get; init; }

    /// <summary>
    /// Run carbon inside this network namespace (<c>ip netns exec</c>) instead of the test's own: only processes inside
    /// it reach carbon's ports (the test itself through <see cref="NetworkNamespace.ConnectTcpAsync"/>). Default none.
    /// </summary>
    public NetworkNamespace? NetworkNamespace { get; init; }

    /// <summary>More <c>[cache]</c> settings of carbon.conf; they override the defaults written by the fixture (keys are carbon's, e.g. <c>MAX_CACHE_SIZE</c>).</summary>
    public IReadOnlyDictionary<string, string> ExtraSettings { get; init; } = new Dictionary<string, string>(StringComparer.Ordinal);
}
