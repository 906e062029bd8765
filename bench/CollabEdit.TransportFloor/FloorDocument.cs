using CollabEdit.Ot;
using CollabEdit.Ot.Sync;

namespace CollabEdit.TransportFloor;

/// <summary>One document: the OT authority behind a lock, in memory only.</summary>
internal sealed class FloorDocument(string text)
{
    private readonly Lock _gate = new();
    private readonly ServerAuthority _authority = new(text);

    public (int Revision, string Text) Open()
    {
        lock (_gate)
        {
            return (_authority.Revision, _authority.Document.ToString());
        }
    }

    public SubmitResult Submit(string clientId, long seq, int baseRevision, TextOperation op)
    {
        lock (_gate)
        {
            return _authority.Submit(clientId, seq, baseRevision, op);
        }
    }

    public CommittedOp[] Since(int revision)
    {
        lock (_gate)
        {
            return [.. _authority.Since(revision)];
        }
    }

    public object State(string id)
    {
        var (revision, text) = Open();
        return new { id, revision, text };
    }
}
