using System.Buffers;
using System.IO.Compression;
using System.Text;
using CollabEdit.Ot;
using CollabEdit.Ot.Sync;
using LiteDB;

namespace CollabEdit.Server.Storage;

/// <summary>Converts the stored records to and from BSON. Times are Unix milliseconds (UTC).</summary>
internal static class BsonMapping
{
    /// <summary>The op log and snapshots are keyed "documentId/revision" with a fixed-width revision, so one document's rows sort together and in order.</summary>
    public static string Key(string documentId, int revision) => $"{documentId}/{revision:D10}";

    /// <summary>The keys of one document's rows from revision <paramref name="from"/> to <paramref name="to"/>, both included.</summary>
    public static BsonExpression KeyRange(string documentId, int from = 0, int to = int.MaxValue) =>
        Query.Between("_id", Key(documentId, from), Key(documentId, to));

    /// <summary>A document's row with the highest key up to revision <paramref name="to"/>, if any.</summary>
    public static BsonDocument? LastRow(ILiteCollection<BsonDocument> collection, string documentId, int to = int.MaxValue) =>
        collection.Query().Where(KeyRange(documentId, 0, to)).OrderByDescending("_id").Limit(1).FirstOrDefault();

    /// <summary>The largest op stored in one LiteDB row (LiteDB holds at most 16,683,050 bytes per row), with room for the row around it.</summary>
    public const long MaxStoredOpBytes = 15 * 1024 * 1024;

    /// <summary>
    /// An op's size in BSON, from above, by its components and its text in UTF-16 units: each
    /// component is an array element (type, index, value) of at most 16 bytes besides its text, a
    /// unit takes at most 3 bytes of UTF-8, and the op's other fields fit in 256.
    /// </summary>
    public static long StoredOpBytesBound(long components, long textUnits) => 256 + (16 * components) + (3 * textUnits);

    /// <summary>Snapshot texts this long or longer are stored compressed.</summary>
    internal const int CompressSnapshotsFrom = 2048;

    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    /// <summary>
    /// Puts a snapshot's text in its row: as UTF-8 compressed with Brotli (quality 1) in "z", with
    /// its length in bytes in "n", when it is long enough; as a plain string in "text" when it is
    /// short. A cold open reads the snapshot from disk page by page, and compressed it has about a
    /// third of the pages. (A text with a lone surrogate, which strict UTF-8 refuses, is left plain;
    /// none reaches here, since texts and ops are checked for them, and LiteDB's own strings are
    /// UTF-8 too.)
    /// </summary>
    public static void SetSnapshotText(BsonDocument row, string text)
    {
        if (text.Length >= CompressSnapshotsFrom && Compress(text) is var (compressed, length))
        {
            row["z"] = compressed;
            row["n"] = length;
        }
        else
        {
            row["text"] = text;
        }
    }

    /// <summary>The text of a snapshot row, compressed or not (rows written by earlier builds are plain).</summary>
    public static string SnapshotText(BsonDocument row)
    {
        if (!row.TryGetValue("z", out var compressed))
        {
            return row["text"].AsString;
        }

        int length = row["n"].AsInt32;
        byte[] utf8 = ArrayPool<byte>.Shared.Rent(length);
        try
        {
            if (!BrotliDecoder.TryDecompress(compressed.AsBinary, utf8, out int written) || written != length)
            {
                throw new InvalidDataException($"Snapshot {row["_id"].AsString} does not decompress to its {length} bytes.");
            }

            return Encoding.UTF8.GetString(utf8, 0, length);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(utf8);
        }
    }

    private static (byte[] Compressed, int Length)? Compress(string text)
    {
        byte[] utf8;
        try
        {
            utf8 = StrictUtf8.GetBytes(text);
        }
        catch (EncoderFallbackException)
        {
            return null;
        }

        byte[] buffer = ArrayPool<byte>.Shared.Rent(BrotliEncoder.GetMaxCompressedLength(utf8.Length));
        try
        {
            return BrotliEncoder.TryCompress(utf8, buffer, out int written, quality: 1, window: 22)
                ? (buffer[..written], utf8.Length)
                : null;
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    public static BsonArray ToBson(TextOperation op)
    {
        var array = new BsonArray();
        foreach (var component in op.Components)
        {
            var token = WireFormat.TokenOf(component);
            array.Add(token.IsText ? new BsonValue(token.Text) : new BsonValue(token.Count));
        }

        return array;
    }

    public static TextOperation ToOperation(BsonValue value)
    {
        var decoder = new WireDecoder();
        foreach (var token in value.AsArray)
        {
            if (token.IsString)
            {
                decoder.Text(token.AsString);
            }
            else if (token.IsInt32)
            {
                decoder.Count(token.AsInt32);
            }
            else
            {
                throw decoder.Other(token.Type.ToString());
            }
        }

        return decoder.Build();
    }

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
            ["client"] = op.Op.ClientId,
            ["seq"] = op.Op.Seq,
            ["base"] = op.Op.BaseRevision,
        };

        // Most submits need no transform: store the op as sent only when it differs.
        if (!op.Op.Submitted.Equals(op.Operation))
        {
            doc["sent"] = ToBson(op.Op.Submitted);
        }

        if (op.RestoredFrom is int restoredFrom)
        {
            doc["restored"] = restoredFrom;
        }

        return doc;
    }

    public static StoredOp ToStoredOp(BsonDocument doc)
    {
        var op = ToOperation(doc["op"]);
        var committed = new CommittedOp(
            doc["rev"].AsInt32,
            op,
            doc["client"].AsString,
            doc["seq"].AsInt64,
            doc["base"].AsInt32,
            doc.TryGetValue("sent", out var sent) ? ToOperation(sent) : op);
        return new StoredOp(
            doc["doc"].AsString,
            committed,
            doc["author"].AsString,
            doc["peer"].AsString,
            DateTimeOffset.FromUnixTimeMilliseconds(doc["ts"].AsInt64),
            doc.TryGetValue("restored", out var restored) ? restored.AsInt32 : null);
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
        doc.TryGetValue("snap", out var snap) ? snap.AsInt32 : 0,
        doc.TryGetValue("bytes", out var bytes) ? bytes.AsInt64 : 0);
}
