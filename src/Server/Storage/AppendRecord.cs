using LiteDB;

namespace CollabEdit.Server.Storage;

/// <summary>
/// A group of committed ops appended to a document (consecutive revisions), in their LiteDB form,
/// and the document's stored history bytes after them (0 when not counted).
/// </summary>
internal sealed record AppendRecord(string DocumentId, BsonArray Ops, long StoredBytes = 0) : JournalRecord
{
    public const string Tag = "append";

    /// <summary>The last op: the document's new revision and last update.</summary>
    public BsonDocument Last => Ops[^1].AsDocument;

    public override BsonDocument ToBson()
    {
        var bson = Tagged(Tag);
        bson["doc"] = DocumentId;
        bson["ops"] = Ops;
        if (StoredBytes > 0)
        {
            bson["bytes"] = StoredBytes;
        }

        return bson;
    }
}
