namespace CollabEdit.Server.Access;

/// <summary>One line of a document's audit log: who (<see cref="Actor"/>, as shown) did what, when.</summary>
public sealed record AuditEntry(string DocumentId, DateTimeOffset At, string Actor, string Action, string Detail);
