using LiteDB;

namespace CollabEdit.Server.Storage;

/// <summary>A named version added, as its LiteDB row.</summary>
internal sealed record VersionRecord(BsonDocument VersionRow) : JournalRecord
{
    public const string Tag = "version";

    public override BsonDocument ToBson()
    {
        var bson = Tagged(Tag);
        bson["v"] = VersionRow;
        return bson;
    }
}
