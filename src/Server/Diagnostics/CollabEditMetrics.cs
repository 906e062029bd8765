using System.Diagnostics.Metrics;

namespace CollabEdit.Server.Diagnostics;

/// <summary>The server's instruments, on the meter "CollabEdit.Server" (dotnet-counters, OpenTelemetry).</summary>
public sealed class CollabEditMetrics : IDisposable
{
    public const string MeterName = "CollabEdit.Server";

    private readonly Meter _meter;
    private readonly Counter<long> _opsCommitted;
    private readonly Histogram<int> _commitBatchSize;
    private readonly Histogram<double> _ackLatency;
    private readonly Histogram<int> _writeBatchSize;
    private readonly Histogram<double> _writeDuration;
    private readonly UpDownCounter<int> _openDocuments;
    private readonly UpDownCounter<int> _connections;
    private readonly Counter<long> _connectionsFellBehind;
    private readonly Counter<long> _commitRetries;
    private readonly Counter<long> _opsLearned;
    private readonly Counter<long> _documentLoads;

    public CollabEditMetrics(IMeterFactory meterFactory)
    {
        _meter = meterFactory.Create(MeterName);
        _opsCommitted = _meter.CreateCounter<long>("collabedit.ops.committed", "{op}", "Ops committed durably");
        _commitBatchSize = _meter.CreateHistogram<int>("collabedit.commit.batch_size", "{op}", "Ops one document session committed in one durable write");
        _ackLatency = _meter.CreateHistogram<double>("collabedit.ack.latency", "ms", "From a submit reaching the session to its durable ack");
        _writeBatchSize = _meter.CreateHistogram<int>("collabedit.storage.batch_size", "{request}", "Write requests (from all documents) per storage transaction");
        _writeDuration = _meter.CreateHistogram<double>("collabedit.storage.write_duration", "ms", "Commit plus checkpoint of one storage transaction");
        _openDocuments = _meter.CreateUpDownCounter<int>("collabedit.documents.open", "{document}", "Documents loaded in memory");
        _connections = _meter.CreateUpDownCounter<int>("collabedit.connections", "{connection}", "Hub connections");
        _commitRetries = _meter.CreateCounter<long>("collabedit.commit.retries", "{retry}", "Batches transformed and committed again because another process committed first");
        _documentLoads = _meter.CreateCounter<long>("collabedit.document.loads", "{load}", "Documents read whole from storage (latest snapshot plus the ops after it): at open, after a failed write, never after a commit conflict");
        _opsLearned = _meter.CreateCounter<long>("collabedit.ops.learned", "{op}", "Ops other processes committed, read and broadcast by this one");
        _connectionsFellBehind = _meter.CreateCounter<long>("collabedit.connections.fell_behind", "{connection}", "Hub connections closed for reading slower than their documents change");
    }

    public void RecordCommit(int ops)
    {
        _opsCommitted.Add(ops);
        _commitBatchSize.Record(ops);
    }

    public void RecordCommitRetry() => _commitRetries.Add(1);

    public void RecordLearned(int ops) => _opsLearned.Add(ops);

    public void RecordDocumentLoad() => _documentLoads.Add(1);

    public void RecordAckLatency(TimeSpan latency) => _ackLatency.Record(latency.TotalMilliseconds);

    public void RecordWrite(int requests, TimeSpan duration)
    {
        _writeBatchSize.Record(requests);
        _writeDuration.Record(duration.TotalMilliseconds);
    }

    public void DocumentOpened() => _openDocuments.Add(1);

    public void DocumentClosed() => _openDocuments.Add(-1);

    public void ConnectionOpened() => _connections.Add(1);

    public void ConnectionClosed() => _connections.Add(-1);

    public void ConnectionFellBehind() => _connectionsFellBehind.Add(1);

    public void Dispose() => _meter.Dispose();
}
