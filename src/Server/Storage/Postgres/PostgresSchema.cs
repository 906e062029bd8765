namespace CollabEdit.Server.Storage.Postgres;

/// <summary>
/// Every migration of the CollabEdit database, in order. Each storage interface backed by
/// PostgreSQL adds its tables here as the next version (accounts, grants, share links and the data-protection keys are
/// version 3), so one ordered list and one lock govern the whole schema.
/// </summary>
public static class PostgresSchema
{
    /// <summary>The channel a commit notifies with "documentId revision" (the revision it reached).</summary>
    public const string OpsChannel = "collabedit_ops";

    /// <summary>What a delete notifies on <see cref="OpsChannel"/> in place of a revision: "documentId deleted".</summary>
    public const string DeletedMark = "deleted";

    /// <summary>The channel an access change (owner, grant, link, trash) notifies with the document id.</summary>
    public const string AccessChannel = "collabedit_access";

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
        new(3, "accounts, document_owners, grants, share_links, audit, data_protection_keys", """
            -- user_name and email hold the normalized forms (unique); the *_shown columns what was typed.
            CREATE TABLE accounts (
                id text PRIMARY KEY,
                user_name text NOT NULL UNIQUE,
                user_name_shown text NOT NULL,
                email text NOT NULL UNIQUE,
                email_shown text NOT NULL,
                display_name text NOT NULL,
                password_hash text,
                security_stamp text NOT NULL,
                concurrency_stamp text NOT NULL,
                lockout_enabled boolean NOT NULL,
                lockout_end timestamptz,
                access_failed_count integer NOT NULL,
                is_administrator boolean NOT NULL,
                created_at timestamptz NOT NULL
            );
            -- One administrator at most, whichever process signs the first account up.
            CREATE UNIQUE INDEX accounts_one_administrator ON accounts (is_administrator) WHERE is_administrator;

            -- No foreign key to documents: a document from before accounts has no row (the administrator owns it).
            CREATE TABLE document_owners (
                document_id text PRIMARY KEY,
                owner_id text NOT NULL,
                trashed_at timestamptz,
                title text
            );
            CREATE INDEX document_owners_owner ON document_owners (owner_id);
            CREATE INDEX document_owners_trashed ON document_owners (trashed_at) WHERE trashed_at IS NOT NULL;

            CREATE TABLE grants (
                document_id text NOT NULL,
                account_id text NOT NULL,
                role integer NOT NULL,
                granted_at timestamptz NOT NULL,
                PRIMARY KEY (document_id, account_id)
            );
            CREATE INDEX grants_account ON grants (account_id);

            -- A link's token is kept as its SHA-256 only.
            CREATE TABLE share_links (
                id text PRIMARY KEY,
                document_id text NOT NULL,
                token_hash text NOT NULL UNIQUE,
                role integer NOT NULL,
                created_by text NOT NULL,
                created_at timestamptz NOT NULL
            );
            CREATE INDEX share_links_document ON share_links (document_id);

            CREATE TABLE audit (
                id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
                document_id text NOT NULL,
                at timestamptz NOT NULL,
                actor text NOT NULL,
                action text NOT NULL,
                detail text NOT NULL
            );
            CREATE INDEX audit_document ON audit (document_id, at);

            -- The data-protection key ring (cookies, bearer tokens), one XML element per key, shared by every process.
            CREATE TABLE data_protection_keys (
                name text PRIMARY KEY,
                xml text NOT NULL
            );
            """),
        new(4, "ops.restored_from: the revision a restore brought back; snapshots.authorship: who wrote each unit of the text", """
            ALTER TABLE ops ADD COLUMN restored_from integer;
            ALTER TABLE snapshots ADD COLUMN authorship text;
            """),
    ];
}
