namespace CollabEdit.Server.Documents;

/// <summary>A document's text at a durable revision, as <c>Open</c> returns it.</summary>
public sealed record OpenedDocument(int Revision, string Text);
