namespace CollabEdit.LoadDriver;

/// <summary>A document as <c>GET /api/documents/{id}</c> answers it (the fields the driver reads).</summary>
internal sealed record DocumentState(string Id, int Revision, string Text);
