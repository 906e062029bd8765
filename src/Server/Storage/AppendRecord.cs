using LiteDB;

namespace CollabEdit.Server.Storage;

/// <summary>A group of committed ops appended to a document (consecutive revisions), in their LiteDB form.</summary>
internal sealed record AppendRecord(string DocumentId, BsonArray Ops) : JournalRecord
{
    public const string Tag = "append";

    /// <summary>The last op: the document's new revision and last update.</summary>
    public BsonDocument Last => Ops[^1].AsDocument;

    public override BsonDocument ToBson()
    {
        var bson = Tagged(Tag);
        bson["doc"] = DocumentId;
        bson["ops"] = Ops;
        return bson;
    }
}
