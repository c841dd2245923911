namespace AioGraphite;

/// <summary>
/// Which relay's consistent hash a client that shards over several destinations copies
/// (<see cref="GraphiteClientOptions.Hashing"/>): it sends every metric to the cache(s) that relay would send it to,
/// so that a cluster can be fed by the client directly and by that relay at the same time (or one after the other)
/// without a series being split over two caches.
/// </summary>
/// <remarks>
/// <para>Both place a metric by the first two bytes of an MD5 on a ring of 100 entries per destination, and both
/// build the ring entries from the destination's host and instance only (<c>('10.0.0.1', 'a'):0</c> …
/// <c>('10.0.0.1', 'a'):99</c>; the port is not hashed, so two caches on one host need different instances). They
/// differ in what they hash and in how the ring treats two entries that land on the same position; a client set to
/// one of them places some metrics elsewhere than the other relay would. Where the clients and relays of a cluster
/// disagree, a series ends up split over two caches.</para>
/// <para>Choose the one your relays run: <see cref="CarbonRelay"/> when the cluster is fed by graphite's Python
/// <c>carbon-relay</c> (<c>RELAY_METHOD = consistent-hashing</c>) or by nothing but clients;
/// <see cref="CarbonCRelay"/> when it is fed by carbon-c-relay with a <c>carbon_ch</c> cluster. Give the
/// destinations the same hosts and instances the relay's configuration uses (the host exactly as written there; it
/// is not resolved). The measurements behind both are in <c>docs/notes/carbon-ch-placement.md</c>.</para>
/// </remarks>
public enum ConsistentHashing
{
    /// <summary>
    /// graphite-carbon's <c>carbon-relay</c> (<c>ConsistentHashRing</c> of graphite-carbon 1.1.7), the default.
    /// </summary>
    /// <remarks>
    /// The key is the full name as the client sends it (prefix and tags included, tags in the order sent), as
    /// carbon-relay hashes it with its default <c>TAG_RELAY_NORMALIZED = False</c>. A ring entry whose position is
    /// already taken moves to the next free position, so the order of the destinations matters (give them in
    /// carbon's <c>DESTINATIONS</c> order). With <see cref="GraphiteClientOptions.ReplicationFactor"/> above 1,
    /// <see cref="GraphiteClientOptions.DiverseReplicas"/> applies as carbon's <c>DIVERSE_REPLICAS</c>.
    /// </remarks>
    CarbonRelay = 0,

    /// <summary>
    /// carbon-c-relay's <c>carbon_ch</c> cluster (measured against carbon-c-relay 3.7.3).
    /// </summary>
    /// <remarks>
    /// <para>The key is the name as carbon-c-relay rewrites it, and only its path: bytes of the UTF-8 name other than
    /// <c>[0-9A-Za-z]</c> and <c>-_:#</c> become <c>_</c> (one per byte, so <c>é</c> becomes <c>__</c>), <c>..</c>
    /// collapses to <c>.</c>, leading dots are dropped and a trailing dot of an untagged name is dropped; of a tagged
    /// name <c>path;tag=value;…</c> only the rewritten part before the first <c>;</c> is hashed, so every tag order
    /// and tag value of one path lands on one cache. (This assumes the relay's default allowed characters; its
    /// <c>-c</c> option changes them.)</para>
    /// <para>Ring entries that collide on a position are not moved: the position belongs to the destination that
    /// sorts first by host, then instance (byte order; a destination without instance last), whatever the order of
    /// the destinations. With <see cref="GraphiteClientOptions.ReplicationFactor"/> above 1 the next distinct
    /// destinations on the ring are taken, as <c>replication N</c> does: <see cref="GraphiteClientOptions.DiverseReplicas"/>
    /// is ignored.</para>
    /// <para>The client still sends each name unchanged. carbon-c-relay would forward its rewritten name, so for a
    /// name it rewrites, the series the relay stores and the one the client stores differ (on the same cache). A path
    /// made of segments of <c>[0-9A-Za-z_:#-]</c> joined by single dots is forwarded unchanged; tags are forwarded as
    /// sent (order kept, other characters kept) except that <c>..</c> in them collapses to <c>.</c>.</para>
    /// </remarks>
    CarbonCRelay = 1,
}
