namespace CollabEdit.Server.Storage;

/// <summary>
/// One of LiteDB's two files (data or log), given to LiteDB as a plain stream so that the store
/// decides when it is fsynced. LiteDB 5.0.20 calls <c>Flush(true)</c> on a <see cref="FileStream"/>
/// after every commit's log pages (several fsyncs per commit, on its own background thread); on
/// any other stream it calls <see cref="Flush"/>, which here reaches the disk only while
/// <see cref="SyncOnFlush"/> is set. The write journal is what makes commits durable, so the log
/// syncs only around checkpoints, and the data file (written only by checkpoints) always.
/// Unbuffered, so that <see cref="Sync"/> from the store's writer thread is safe while LiteDB's
/// own writer thread writes.
/// </summary>
internal sealed class LiteDbFileStream(string path, bool syncOnFlush) : Stream
{
    private readonly FileStream _file = new(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.Read, bufferSize: 0, FileOptions.None);

    /// <summary>Whether <see cref="Flush"/> waits for the disk (fsync) or only hands the bytes to the OS.</summary>
    public bool SyncOnFlush { get; set; } = syncOnFlush;

    public override bool CanRead => _file.CanRead;

    public override bool CanSeek => _file.CanSeek;

    public override bool CanWrite => _file.CanWrite;

    public override long Length => _file.Length;

    public override long Position
    {
        get => _file.Position;
        set => _file.Position = value;
    }

    /// <summary>Makes everything written so far durable, whatever <see cref="SyncOnFlush"/> says.</summary>
    public void Sync() => _file.Flush(flushToDisk: true);

    public override void Flush() => _file.Flush(flushToDisk: SyncOnFlush);

    public override int Read(byte[] buffer, int offset, int count) => _file.Read(buffer, offset, count);

    public override long Seek(long offset, SeekOrigin origin) => _file.Seek(offset, origin);

    public override void SetLength(long value) => _file.SetLength(value);

    public override void Write(byte[] buffer, int offset, int count) => _file.Write(buffer, offset, count);

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _file.Dispose();
        }

        base.Dispose(disposing);
    }
}
