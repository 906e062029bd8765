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
/// <remarks>
/// The log stream holds on to writes the disk refused (a full disk): LiteDB closes its whole engine,
/// reads included, on the first <see cref="IOException"/> from its background log writer, and
/// then only a restart brings it back. Held writes are kept in memory, in order, and read back
/// over the file's bytes; each later write, flush or <see cref="Sync"/> tries to write them out
/// first, and <see cref="Sync"/> throws while they cannot be, so a LiteDB checkpoint (which syncs
/// the log first) is never taken over a log that is not on disk. Nothing here is durable before
/// <see cref="Sync"/> anyway: the journal is, and it is not written through this stream.
/// </remarks>
internal sealed class LiteDbFileStream(string path, bool syncOnFlush, bool holdRefusedWrites = false) : Stream
{
    private readonly FileStream _file = new(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.Read, bufferSize: 0, FileOptions.None);

    private readonly Lock _lock = new();

    // Writes the disk refused, oldest first, with where they go; empty while the disk takes them.
    private readonly List<(long Position, byte[] Bytes)> _held = [];

    private long _position;

    /// <summary>Whether <see cref="Flush"/> waits for the disk (fsync) or only hands the bytes to the OS.</summary>
    public bool SyncOnFlush { get; set; } = syncOnFlush;

    /// <summary>Bytes written that the disk has not taken yet (the disk is full).</summary>
    public long HeldBytes
    {
        get
        {
            lock (_lock)
            {
                return _held.Sum(w => (long)w.Bytes.Length);
            }
        }
    }

    public override bool CanRead => true;

    public override bool CanSeek => true;

    public override bool CanWrite => true;

    public override long Length
    {
        get
        {
            lock (_lock)
            {
                return LengthLocked();
            }
        }
    }

    public override long Position
    {
        get => _position;
        set => _position = value;
    }

    /// <summary>Makes everything written so far durable, whatever <see cref="SyncOnFlush"/> says; throws while held writes cannot reach the disk.</summary>
    public void Sync()
    {
        lock (_lock)
        {
            WriteHeld();
        }

        // Outside the lock: an fsync takes milliseconds, and LiteDB's own writer goes on meanwhile.
        _file.Flush(flushToDisk: true);
    }

    public override void Flush()
    {
        lock (_lock)
        {
            if (!TryWriteHeld())
            {
                return; // Held: Sync says so to whoever needs the disk to have it.
            }

            _file.Flush(flushToDisk: SyncOnFlush);
        }
    }

    public override int Read(byte[] buffer, int offset, int count)
    {
        lock (_lock)
        {
            long length = LengthLocked();
            count = (int)Math.Clamp(length - _position, 0, count);
            int read = 0;
            if (_position < _file.Length)
            {
                _file.Position = _position;
                while (read < count)
                {
                    int n = _file.Read(buffer, offset + read, count - read);
                    if (n == 0)
                    {
                        break;
                    }

                    read += n;
                }
            }

            // Past the file's end and not held: zeros, as a sparse file would read.
            Array.Clear(buffer, offset + read, count - read);
            foreach (var (position, bytes) in _held)
            {
                long from = Math.Max(position, _position);
                long to = Math.Min(position + bytes.Length, _position + count);
                if (from < to)
                {
                    Array.Copy(bytes, from - position, buffer, offset + (from - _position), to - from);
                }
            }

            _position += count;
            return count;
        }
    }

    public override long Seek(long offset, SeekOrigin origin)
    {
        _position = origin switch
        {
            SeekOrigin.Begin => offset,
            SeekOrigin.Current => _position + offset,
            _ => Length + offset,
        };
        return _position;
    }

    public override void SetLength(long value)
    {
        lock (_lock)
        {
            if (value == 0)
            {
                _held.Clear(); // LiteDB empties its log after a checkpoint: nothing held matters any more.
            }
            else
            {
                WriteHeld();
            }

            _file.SetLength(value);
        }
    }

    public override void Write(byte[] buffer, int offset, int count)
    {
        lock (_lock)
        {
            if (TryWriteHeld() || !holdRefusedWrites)
            {
                try
                {
                    _file.Position = _position;
                    _file.Write(buffer, offset, count);
                    _position += count;
                    return;
                }
                catch (IOException) when (holdRefusedWrites)
                {
                    // Held below, whole: whatever part reached the file is written again.
                }
            }

            _held.Add((_position, buffer.AsSpan(offset, count).ToArray()));
            _position += count;
        }
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _file.Dispose();
        }

        base.Dispose(disposing);
    }

    private long LengthLocked()
    {
        long length = _file.Length;
        foreach (var (position, bytes) in _held)
        {
            length = Math.Max(length, position + bytes.Length);
        }

        return length;
    }

    private bool TryWriteHeld()
    {
        try
        {
            WriteHeld();
            return true;
        }
        catch (IOException) when (holdRefusedWrites)
        {
            return false;
        }
    }

    /// <summary>Writes what the disk refused before, in order; throws (keeping the rest) if it still refuses.</summary>
    private void WriteHeld()
    {
        while (_held.Count > 0)
        {
            var (position, bytes) = _held[0];
            _file.Position = position;
            _file.Write(bytes);
            _held.RemoveAt(0);
        }
    }
}
