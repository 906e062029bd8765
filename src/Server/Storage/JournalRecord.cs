using LiteDB;

namespace CollabEdit.Server.Storage;

/// <summary>
/// One write as the journal keeps it, to be applied to LiteDB now and replayed after a crash.
/// On disk a record is a BSON document whose <c>t</c> field names its kind; only
/// <see cref="ToBson"/> and <see cref="FromBson"/> know those names.
/// </summary>
internal abstract record JournalRecord
{
    private const string Kind = "t";

    /// <summary>The record as written to the journal.</summary>
    public abstract BsonDocument ToBson();

    /// <summary>A record read back from the journal.</summary>
    public static JournalRecord FromBson(BsonDocument bson) => bson[Kind].AsString switch
    {
        CreateRecord.Tag => new CreateRecord(bson["row"].AsDocument, bson["snap"].AsDocument),
        AppendRecord.Tag => new AppendRecord(bson["doc"].AsString, bson["ops"].AsArray, bson.TryGetValue("bytes", out var bytes) ? bytes.AsInt64 : 0),
        VersionRecord.Tag => new VersionRecord(bson["v"].AsDocument),
        DeleteRecord.Tag => new DeleteRecord(bson["doc"].AsString),
        var unknown => throw new InvalidDataException($"Unknown journal record kind '{unknown}'."),
    };

    /// <summary>A BSON document of this record's kind, for the subclass to fill.</summary>
    protected static BsonDocument Tagged(string tag) => new() { [Kind] = tag };
}
