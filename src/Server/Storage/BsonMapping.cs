using CollabEdit.Ot;
using LiteDB;

namespace CollabEdit.Server.Storage;

/// <summary>Converts the stored records to and from BSON. Times are Unix milliseconds (UTC).</summary>
internal static class BsonMapping
{
    /// <summary>The op log and snapshots are keyed "documentId/revision" with a fixed-width revision, so one document's rows sort together and in order.</summary>
    public static string Key(string documentId, int revision) => $"{documentId}/{revision:D10}";

    public static BsonArray ToBson(TextOperation op)
    {
        var array = new BsonArray();
        foreach (var component in op.Components)
        {
            array.Add(component switch
            {
                Retain r => new BsonValue(r.Count),
                Insert i => new BsonValue(i.Text),
                Delete d => new BsonValue(-d.Count),
                _ => throw new InvalidOperationException("Unknown component."),
            });
        }

        return array;
    }

    public static TextOperation ToOperation(BsonValue value) =>
        WireFormat.Parse(value.AsArray.Select(v => v.IsString ? (object)v.AsString : v.AsInt32));

    public static BsonDocument ToBson(StoredOp op)
    {
        var doc = new BsonDocument
        {
            ["_id"] = Key(op.DocumentId, op.Revision),
            ["doc"] = op.DocumentId,
            ["rev"] = op.Revision,
            ["op"] = ToBson(op.Operation),
            ["author"] = op.Author,
            ["peer"] = op.PeerId,
            ["ts"] = op.Timestamp.ToUnixTimeMilliseconds(),
            ["client"] = op.ClientId,
            ["seq"] = op.Seq,
            ["base"] = op.BaseRevision,
        };

        // Most submits need no transform: store the op as sent only when it differs.
        if (!op.Submitted.Equals(op.Operation))
        {
            doc["sent"] = ToBson(op.Submitted);
        }

        return doc;
    }

    public static StoredOp ToStoredOp(BsonDocument doc)
    {
        var op = ToOperation(doc["op"]);
        return new StoredOp(
            doc["doc"].AsString,
            doc["rev"].AsInt32,
            op,
            doc["author"].AsString,
            doc["peer"].AsString,
            DateTimeOffset.FromUnixTimeMilliseconds(doc["ts"].AsInt64),
            doc["client"].AsString,
            doc["seq"].AsInt64,
            doc["base"].AsInt32,
            doc.TryGetValue("sent", out var sent) ? ToOperation(sent) : op);
    }

    public static BsonDocument ToBson(StoredDocument d) => new()
    {
        ["_id"] = d.Id,
        ["title"] = d.Title,
        ["rev"] = d.Revision,
        ["created"] = d.CreatedAt.ToUnixTimeMilliseconds(),
        ["updated"] = d.UpdatedAt.ToUnixTimeMilliseconds(),
        ["snap"] = d.SnapshotRevision,
    };

    public static StoredDocument ToStoredDocument(BsonDocument doc) => new(
        doc["_id"].AsString,
        doc["title"].AsString,
        doc["rev"].AsInt32,
        DateTimeOffset.FromUnixTimeMilliseconds(doc["created"].AsInt64),
        DateTimeOffset.FromUnixTimeMilliseconds(doc["updated"].AsInt64),
        doc.TryGetValue("snap", out var snap) ? snap.AsInt32 : 0);
}
