using LiteDB;

namespace CollabEdit.Server.Storage;

/// <summary>A document deleted with everything of it.</summary>
internal sealed record DeleteRecord(string DocumentId) : JournalRecord
{
    public const string Tag = "delete";

    public override BsonDocument ToBson()
    {
        var bson = Tagged(Tag);
        bson["doc"] = DocumentId;
        return bson;
    }
}
