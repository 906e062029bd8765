using LiteDB;

namespace CollabEdit.Server.Storage;

/// <summary>A document created: its document row and its first snapshot, in their LiteDB form.</summary>
internal sealed record CreateRecord(BsonDocument DocumentRow, BsonDocument Snapshot) : JournalRecord
{
    public const string Tag = "create";

    public string DocumentId => DocumentRow["_id"].AsString;

    public override BsonDocument ToBson()
    {
        var bson = Tagged(Tag);
        bson["row"] = DocumentRow;
        bson["snap"] = Snapshot;
        return bson;
    }
}
