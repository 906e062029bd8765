using CollabEdit.Server.Documents;

namespace CollabEdit.Server.Hubs;

/// <summary>A document a connection has open, under a lease on its session, with the name it joined as.</summary>
internal sealed record OpenDocument(DocumentSession Session, string Name);
