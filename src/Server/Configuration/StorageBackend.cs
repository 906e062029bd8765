namespace CollabEdit.Server.Configuration;

/// <summary>Which storage keeps the documents (<c>CollabEdit:Storage</c>).</summary>
public enum StorageBackend
{
    /// <summary>An embedded LiteDB file in <see cref="StorageOptions.DataPath"/>, one process per folder (the default).</summary>
    LiteDb,

    /// <summary>PostgreSQL at <c>ConnectionStrings:Postgres</c>, shared by any number of processes.</summary>
    Postgres,
}
