using LiteDB;

namespace CollabEdit.Server.Storage;

/// <summary>
/// After a crash: the journal's segments are replayed into LiteDB, each document catches up with the
/// op rows LiteDB holds beyond its document row, snapshots past a document's revision are dropped,
/// and the journal is retired, all before the store accepts anything (so before the writer starts).
/// </summary>
internal static partial class JournalReplay
{
    /// <summary>
    /// Replays the journal a crash left in <paramref name="directory"/> into LiteDB, writes everything
    /// to LiteDB and checkpoints it, and deletes the journal. Returns how many records it applied
    /// (0 after a clean stop, which leaves no journal). When the disk refuses the checkpoint (it is
    /// full), the replayed state stays in LiteDB's memory and <paramref name="readOnly"/> says which
    /// segments still hold it: the store starts read-only and retires them once the disk has room.
    /// </summary>
    public static int Recover(string directory, LiteDbFile file, OpRowBuffer ops, DocumentRowCache documentRows, RecordApplier applier, ILogger log, out ReadOnlyStart? readOnly)
    {
        readOnly = null;
        var segments = WriteJournal.FindSegments(directory);
        if (segments.Count == 0)
        {
            return 0;
        }

        int records = 0;
        file.InTransaction(() =>
        {
            foreach (string segment in segments)
            {
                var read = WriteJournal.ReadSegment(segment, out long torn);
                foreach (var record in read)
                {
                    if (applier.Replay(JournalRecord.FromBson(record)))
                    {
                        records++;
                    }
                }

                if (torn > 0)
                {
                    LogTornJournalTail(log, Path.GetFileName(segment), torn);
                }
            }

            CatchUpWithStoredOps(file, ops, documentRows);
        });

        LogRecovered(log, records, segments.Count);
        try
        {
            applier.WriteEverythingToLiteDb();
        }
        catch (IOException e)
        {
            readOnly = new ReadOnlyStart($"Started read-only: the journal could not be retired ({e.Message}). Writes resume once the disk takes them.", segments, SyncAll(segments));
            LogReadOnly(log, e);
            return records;
        }

        foreach (string segment in segments)
        {
            File.Delete(segment);
        }

        return records;
    }

    /// <summary>Makes the segments durable as they are (a sync needs no free space); false if one cannot be.</summary>
    private static bool SyncAll(IReadOnlyList<string> segments)
    {
        try
        {
            foreach (string segment in segments)
            {
                using var handle = File.OpenHandle(segment, FileMode.Open, FileAccess.ReadWrite);
                RandomAccess.FlushToDisk(handle);
            }

            return true;
        }
        catch (IOException)
        {
            return false;
        }
    }

    /// <summary>
    /// After a replay, makes each document's row, ops and snapshots agree. LiteDB can hold ops the
    /// journal lost (its own log reached the disk first) or op rows whose document row was not
    /// written yet when the process died: those ops were committed in order, only never
    /// acknowledged (a client's retry of one is recognised), so the document takes them. LiteDB
    /// can also hold a snapshot written with an append whose ops were lost (they waited in
    /// memory): a snapshot past the document's revision is deleted, or it would answer for
    /// revisions that will now hold other ops.
    /// </summary>
    private static void CatchUpWithStoredOps(LiteDbFile file, OpRowBuffer ops, DocumentRowCache documentRows)
    {
        foreach (var row in file.Documents.FindAll().ToList())
        {
            string documentId = row["_id"].AsString;
            if (ops.LastStoredOp(documentId) is { } last && last["rev"].AsInt32 > row["rev"].AsInt32)
            {
                documentRows.WriteRow(row, new DocumentProgress(last["rev"].AsInt32, last["ts"].AsInt64, 0));
            }

            int revision = row["rev"].AsInt32;
            if (file.Snapshots.DeleteMany(BsonMapping.KeyRange(documentId, revision + 1)) > 0
                || (row.TryGetValue("snap", out var snap) && snap.AsInt32 > revision))
            {
                row["snap"] = BsonMapping.LastRow(file.Snapshots, documentId, revision)?["rev"].AsInt32 ?? 0;
                _ = file.Documents.Update(row);
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Recovered {RecordCount} journal records from {SegmentCount} segments left by an unclean stop")]
    private static partial void LogRecovered(ILogger logger, int recordCount, int segmentCount);

    [LoggerMessage(Level = LogLevel.Error, Message = "Started read-only: retiring the replayed journal failed (is the disk full?); reads are served, writes are refused until the disk takes them")]
    private static partial void LogReadOnly(ILogger logger, Exception exception);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Journal segment {Segment} ends with {TornBytes} bytes of a write cut short; ignored (it was never acknowledged)")]
    private static partial void LogTornJournalTail(ILogger logger, string segment, long tornBytes);
}
