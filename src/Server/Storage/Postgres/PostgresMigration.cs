namespace CollabEdit.Server.Storage.Postgres;

/// <summary>
/// One step of the PostgreSQL schema: applied once, in order of <see cref="Version"/>, in its own
/// transaction, and recorded in <c>schema_migrations</c>. Applied steps are never edited: a change
/// is a new step.
/// </summary>
public sealed record PostgresMigration(int Version, string Name, string Sql);
