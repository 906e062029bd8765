using CollabEdit.Server.Access;
using CollabEdit.Server.Documents;

namespace CollabEdit.Server.Hubs;

/// <summary>A document a connection has open, under a lease on its session, with who the server says is editing and the role they had when it was last decided.</summary>
internal sealed record OpenDocument(DocumentSession Session, OpAuthor Author, DocumentRole Role);
