namespace CollabEdit.Server;

/// <summary>Settings under the <c>CollabEdit</c> configuration section. Limits are documented in docs/protocol.md.</summary>
public sealed class CollabEditOptions
{
    public const string Section = "CollabEdit";

    /// <summary>Folder of the LiteDB file and its lock.</summary>
    public string DataPath { get; set; } = "./data";

    /// <summary>
    /// Bytes of write journal after which LiteDB is checkpointed (its file made to hold everything)
    /// and the journal behind it deleted. Larger means fewer checkpoints and a longer replay after a crash.
    /// </summary>
    public long CheckpointBytes { get; set; } = 32 * 1024 * 1024;

    /// <summary>A snapshot of the text is written every this many ops (and when a session unloads).</summary>
    public int SnapshotInterval { get; set; } = 100;

    /// <summary>How many revisions a submit's base may lag behind and still be transformed.</summary>
    public int MaxRevisionLag { get; set; } = 1000;

    /// <summary>Largest op, in UTF-16 code units inserted plus deleted: a 1 MB paste fits at once.</summary>
    public int MaxOpLength { get; set; } = 2 * 1024 * 1024;

    /// <summary>
    /// Most components (retains, inserts, deletes) in one op: with <see cref="MaxOpLength"/> this bounds
    /// an op's size in storage (LiteDB holds at most 16 MiB per row), whatever its wire size.
    /// </summary>
    public int MaxOpComponents { get; set; } = 100_000;

    /// <summary>
    /// Largest size an op may take in storage, in bytes, bounded from above before it is committed
    /// (as transformed plus as sent). LiteDB holds at most 16,683,050 bytes in one row, so this is
    /// capped at 15 MiB; only tests lower it.
    /// </summary>
    public long MaxStoredOpBytes { get; set; } = Storage.BsonMapping.MaxStoredOpBytes;

    /// <summary>Largest document, in UTF-16 code units.</summary>
    public int MaxDocumentLength { get; set; } = 8 * 1024 * 1024;

    /// <summary>SignalR's limit on one incoming message, in bytes: room for the largest op in MessagePack or JSON.</summary>
    public long MaxMessageBytes { get; set; } = 16 * 1024 * 1024;

    /// <summary>Submits per second a connection may sustain before it is answered <c>rate-limited</c>.</summary>
    public int SubmitsPerSecond { get; set; } = 2000;

    /// <summary>Submits a connection may send in one burst.</summary>
    public int SubmitBurst { get; set; } = 4000;

    /// <summary>A document with no clients is unloaded (after a snapshot) once idle this long.</summary>
    public TimeSpan IdleUnloadAfter { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>How often idle documents are looked for.</summary>
    public TimeSpan IdleSweepInterval { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>Most ops one history page returns.</summary>
    public int MaxHistoryPage { get; set; } = 1000;

    /// <summary>
    /// Web origins (scheme://host[:port]) besides the server's own whose pages may open the hub,
    /// e.g. the editor served from another name. Requests without an Origin (non-browser clients) are always allowed.
    /// </summary>
    public string[] AllowedOrigins { get; set; } = [];

    /// <summary>
    /// Bytes (estimated from UTF-8, an upper bound) after which a <c>Catchup</c> answer is cut; the
    /// client asks again from the last revision it got. At least one op is always sent.
    /// </summary>
    public long MaxCatchupBytes { get; set; } = 8 * 1024 * 1024;

    /// <summary>Bytes (estimated as for <see cref="MaxCatchupBytes"/>) after which a history page is cut.</summary>
    public long MaxHistoryPageBytes { get; set; } = 8 * 1024 * 1024;

    /// <summary>
    /// Bytes the server may hold for one connection that reads slower than its documents change;
    /// past it the connection is cut (the client reconnects and catches up). One message larger
    /// than this still goes to a connection with nothing else waiting.
    /// </summary>
    public long MaxPendingBytesPerConnection { get; set; } = 4 * 1024 * 1024;

    /// <summary>Most documents one hub connection may have open at once; more is <c>too-large</c> until it closes one.</summary>
    public int MaxOpenDocumentsPerConnection { get; set; } = 100;

    /// <summary>Hub calls of any method a connection may sustain a second before it is answered <c>rate-limited</c>.</summary>
    public int CallsPerSecond { get; set; } = 2000;

    /// <summary>Hub calls a connection may send in one burst.</summary>
    public int CallBurst { get; set; } = 4000;

    /// <summary>Hub calls all connections from one client address may sustain a second together.</summary>
    public int CallsPerSecondPerAddress { get; set; } = 5000;

    /// <summary>Hub calls all connections from one client address may send in one burst.</summary>
    public int CallBurstPerAddress { get; set; } = 10000;

    /// <summary>REST requests (<c>/api</c>) one client address may sustain a second before it gets 429.</summary>
    public int RequestsPerSecondPerAddress { get; set; } = 200;

    /// <summary>REST requests one client address may send in one burst.</summary>
    public int RequestBurstPerAddress { get; set; } = 400;

    /// <summary>Documents one client address may create a second (each is a row on disk for good).</summary>
    public int DocumentCreatesPerSecondPerAddress { get; set; } = 10;

    /// <summary>Documents one client address may create in one burst.</summary>
    public int DocumentCreateBurstPerAddress { get; set; } = 100;

    /// <summary>
    /// UTF-16 units of text all loaded documents may hold together (two bytes each, plus their
    /// history windows). Past it the least recently used documents nobody has open are unloaded,
    /// and an Open that still does not fit is <c>unavailable</c>.
    /// </summary>
    public long MaxLoadedDocumentUnits { get; set; } = 128L * 1024 * 1024;

    /// <summary>Bytes of history (estimated, as committed and as sent) one document may add a second, from all its clients together.</summary>
    public int DocumentWriteBytesPerSecond { get; set; } = 1024 * 1024;

    /// <summary>Bytes of history one document may add in a burst (a few large pastes); more is <c>rate-limited</c>.</summary>
    public int DocumentWriteBurstBytes { get; set; } = 64 * 1024 * 1024;
}
