using CollabEdit.Ot;
using CollabEdit.Ot.Sync;
using CollabEdit.Protocol;
using CollabEdit.Server.Configuration;
using CollabEdit.Server.Storage;

namespace CollabEdit.Server.Documents;

/// <summary>
/// The size checks every op passes before the session commits it, whichever way it came (a hub
/// submit, a REST restore): each refusal is too-large and changes nothing. The op's form (wire
/// rules, base length, surrogates, revisions) is the authority's to check.
/// </summary>
internal sealed class OpValidator(EditLimits limits, IDocumentStorage store)
{
    public void Check(ServerAuthority authority, SubmitRequest request)
    {
        var op = request.Operation;
        if (op.Components.Count > limits.MaxOpComponents)
        {
            throw new CollabException(ErrorCodes.TooLarge, $"The op has {op.Components.Count} components; the limit is {limits.MaxOpComponents}.");
        }

        // Only inserted text counts: a delete is stored as a count, so clearing a document of any
        // size is one small op. Clients split larger pastes into several ops (docs/protocol.md).
        long inserted = op.Components.Sum(c => c is Insert i ? (long)i.Text.Length : 0L);
        if (inserted > limits.MaxOpLength)
        {
            throw new CollabException(ErrorCodes.TooLarge, $"The op inserts {inserted} code units; the limit is {limits.MaxOpLength}.");
        }

        // Transforming keeps every insert and can only drop deletes, so this bounds the new length.
        long growth = (long)op.TargetLength - op.BaseLength;
        if (authority.Document.Length + growth > limits.MaxDocumentLength)
        {
            throw new CollabException(ErrorCodes.TooLarge, $"The document would exceed {limits.MaxDocumentLength} UTF-16 code units.");
        }

        // An acknowledged op must be storable: refuse one whose stored form could outgrow storage's limit.
        if (StoredBytesBound(authority, request) > store.MaxStoredOpBytes)
        {
            throw new CollabException(ErrorCodes.TooLarge, "The op would be too large to store once transformed.");
        }
    }

    /// <summary>
    /// An upper bound on an op's size in storage, as transformed and as sent. Transforming keeps
    /// the op's inserts and splits it at most at each component of the ops it passes.
    /// </summary>
    public long StoredBytesBound(ServerAuthority authority, SubmitRequest request)
    {
        long own = request.Operation.Components.Count;
        long text = request.Operation.Components.Sum(c => c is Insert i ? (long)i.Text.Length : 0);
        long passed = 0;
        if (request.BaseRevision >= authority.OldestBaseRevision && request.BaseRevision <= authority.Revision)
        {
            passed = authority.Since(request.BaseRevision).Sum(op => (long)op.Operation.Components.Count);
        }

        return store.StoredOpBytesBound(own + passed + 1, own, text);
    }
}
