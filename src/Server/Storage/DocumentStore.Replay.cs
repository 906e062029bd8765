using LiteDB;

namespace CollabEdit.Server.Storage;

/// <remarks>
/// After a crash: the journal's segments are replayed into LiteDB, each document catches up with the
/// op rows LiteDB holds beyond its document row, snapshots past a document's revision are dropped,
/// and the journal is retired, all before the store accepts anything.
/// </remarks>
public sealed partial class DocumentStore
{
    /// <summary>Replays the journal a crash left behind into LiteDB, writes everything to LiteDB and checkpoints it, and deletes the journal.</summary>
    private void Recover(string directory)
    {
        var segments = WriteJournal.FindSegments(directory);
        if (segments.Count == 0)
        {
            return;
        }

        int records = 0;
        _db.BeginTrans();
        foreach (string segment in segments)
        {
            var read = WriteJournal.ReadSegment(segment, out long torn);
            foreach (var record in read)
            {
                if (Apply(JournalRecord.FromBson(record), replay: true))
                {
                    records++;
                }
            }

            if (torn > 0)
            {
                LogTornJournalTail(Path.GetFileName(segment), torn);
            }
        }

        CatchUpWithStoredOps();
        _db.Commit();
        WriteEverythingToLiteDb();
        foreach (string segment in segments)
        {
            File.Delete(segment);
        }

        RecoveredRecords = records;
        LogRecovered(records, segments.Count);
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Recovered {RecordCount} journal records from {SegmentCount} segments left by an unclean stop")]
    private partial void LogRecovered(int recordCount, int segmentCount);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Journal segment {Segment} ends with {TornBytes} bytes of a write cut short; ignored (it was never acknowledged)")]
    private partial void LogTornJournalTail(string segment, long tornBytes);

    /// <summary>
    /// After a replay, makes each document's row, ops and snapshots agree. LiteDB can hold ops the
    /// journal lost (its own log reached the disk first) or op rows whose document row was not
    /// written yet when the process died: those ops were committed in order, only never
    /// acknowledged (a client's retry of one is recognised), so the document takes them. LiteDB
    /// can also hold a snapshot written with an append whose ops were lost (they waited in
    /// memory): a snapshot past the document's revision is deleted, or it would answer for
    /// revisions that will now hold other ops.
    /// </summary>
    private void CatchUpWithStoredOps()
    {
        foreach (var row in _documents.FindAll().ToList())
        {
            string documentId = row["_id"].AsString;
            if (LastStoredOp(documentId) is { } last && last["rev"].AsInt32 > row["rev"].AsInt32)
            {
                WriteDocumentRow(row, new DocumentProgress(last["rev"].AsInt32, last["ts"].AsInt64, 0));
            }

            int revision = row["rev"].AsInt32;
            if (_snapshots.DeleteMany(BsonMapping.KeyRange(documentId, revision + 1)) > 0
                || (row.TryGetValue("snap", out var snap) && snap.AsInt32 > revision))
            {
                row["snap"] = LatestSnapshot(documentId, revision)?.Revision ?? 0;
                _ = _documents.Update(row);
            }
        }
    }
}
