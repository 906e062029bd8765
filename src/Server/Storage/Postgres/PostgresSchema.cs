namespace CollabEdit.Server.Storage.Postgres;

/// <summary>
/// Every migration of the CollabEdit database, in order. Each storage interface backed by
/// PostgreSQL adds its tables here as the next version (accounts, grants and share links will be
/// version 2 and on), so one ordered list and one lock govern the whole schema.
/// </summary>
public static class PostgresSchema
{
    /// <summary>The channel a commit notifies with "documentId revision" (the revision it reached).</summary>
    public const string OpsChannel = "collabedit_ops";

    /// <summary>What a delete notifies on <see cref="OpsChannel"/> in place of a revision: "documentId deleted".</summary>
    public const string DeletedMark = "deleted";

    public static IReadOnlyList<PostgresMigration> Migrations { get; } =
    [
        new(1, "documents, ops, snapshots, versions", """
            CREATE TABLE documents (
                id text PRIMARY KEY,
                title text NOT NULL,
                revision integer NOT NULL CHECK (revision >= 0),
                created_at timestamptz NOT NULL,
                updated_at timestamptz NOT NULL,
                snapshot_revision integer NOT NULL DEFAULT 0
            );
            CREATE INDEX documents_updated_at ON documents (updated_at DESC);

            -- The primary key is the fence: one op per revision, whichever process commits it.
            -- (document_id, client_id, seq) is unique: a retry is applied at most once, on any process.
            CREATE TABLE ops (
                document_id text NOT NULL REFERENCES documents (id) ON DELETE CASCADE,
                revision integer NOT NULL CHECK (revision > 0),
                op text NOT NULL,
                sent text,
                client_id text NOT NULL,
                seq bigint NOT NULL,
                base_revision integer NOT NULL,
                author text NOT NULL,
                peer_id text NOT NULL,
                created_at timestamptz NOT NULL,
                PRIMARY KEY (document_id, revision),
                CONSTRAINT ops_client_seq UNIQUE (document_id, client_id, seq)
            );

            CREATE TABLE snapshots (
                document_id text NOT NULL REFERENCES documents (id) ON DELETE CASCADE,
                revision integer NOT NULL,
                text bytea NOT NULL,
                PRIMARY KEY (document_id, revision)
            );

            CREATE TABLE versions (
                id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
                document_id text NOT NULL REFERENCES documents (id) ON DELETE CASCADE,
                name text NOT NULL,
                revision integer NOT NULL,
                created_at timestamptz NOT NULL
            );
            CREATE INDEX versions_document ON versions (document_id, revision);
            """),
        new(2, "documents.stored_bytes: a document's history bytes, for its quota", """
            ALTER TABLE documents ADD COLUMN stored_bytes bigint NOT NULL DEFAULT 0;
            """),
    ];
}
