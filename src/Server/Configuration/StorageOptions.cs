using System.ComponentModel.DataAnnotations;

namespace CollabEdit.Server.Configuration;

/// <summary>Where and how documents are stored (configuration section <c>CollabEdit</c>).</summary>
public sealed class StorageOptions
{
    /// <summary>Journal bytes after which LiteDB is checkpointed and the journal behind it deleted.</summary>
    public const long DefaultCheckpointBytes = 32 * 1024 * 1024;

    /// <summary>Which storage keeps the documents; PostgreSQL needs the connection string <c>ConnectionStrings:Postgres</c>.</summary>
    public StorageBackend Storage { get; set; } = StorageBackend.LiteDb;

    /// <summary>Folder of the LiteDB file, its write journal and its lock.</summary>
    [Required(AllowEmptyStrings = false)]
    public string DataPath { get; set; } = "./data";

    /// <summary>
    /// Bytes of write journal after which LiteDB is checkpointed (its file made to hold everything)
    /// and the journal behind it deleted. Larger means fewer checkpoints and a longer replay after a crash.
    /// </summary>
    [Range(1, long.MaxValue)]
    public long CheckpointBytes { get; set; } = DefaultCheckpointBytes;

    /// <summary>A snapshot of the text is written every this many ops (and when a session unloads).</summary>
    [Range(1, int.MaxValue)]
    public int SnapshotInterval { get; set; } = 100;
}
