using System.Buffers;
using System.Buffers.Binary;
using System.IO.Hashing;
using System.Runtime.InteropServices;
using LiteDB;
using Microsoft.Win32.SafeHandles;

namespace CollabEdit.Server.Storage;

/// <summary>
/// The durability point of every write: append-only segment files of records, made durable with
/// one <c>fdatasync</c> per group commit. LiteDB applies the same writes in memory and reaches its
/// own file only at checkpoints, which are rare; after a checkpoint the segments it covers are
/// deleted, and after a crash the segments left over are replayed into LiteDB.
/// </summary>
/// <remarks>
/// A record is <c>[payload length: int32 LE][CRC-32 of the payload: uint32 LE][payload: a BSON
/// document]</c>. Reading stops at the first record that is incomplete or fails its checksum: that
/// is the tail of a write the crash cut short, which nobody was acknowledged for.
/// </remarks>
internal sealed partial class WriteJournal : IDisposable
{
    private const string Prefix = "journal-";
    private const string Suffix = ".log";
    private const int HeaderLength = 8;
    private const int MaxRecordLength = 256 * 1024 * 1024;

    private readonly string _directory;
    private long _nextNumber;

    private WriteJournal(string directory, long nextNumber)
    {
        _directory = directory;
        _nextNumber = nextNumber;
        Current = OpenSegment();
    }

    /// <summary>The folder of the segments (the data folder).</summary>
    public string Folder => _directory;

    /// <summary>The segment that appends go to.</summary>
    public Segment Current { get; private set; }

    /// <summary>The segments a previous process left in <paramref name="directory"/>, oldest first.</summary>
    public static IReadOnlyList<string> FindSegments(string directory) =>
        [.. Directory.EnumerateFiles(directory, Prefix + "*" + Suffix)
            .Select(path => (Path: path, Number: ParseNumber(path)))
            .Where(s => s.Number >= 0)
            .OrderBy(s => s.Number)
            .Select(s => s.Path)];

    /// <summary>Starts a journal in <paramref name="directory"/> after any segments already there.</summary>
    public static WriteJournal Open(string directory)
    {
        long last = FindSegments(directory).Select(ParseNumber).DefaultIfEmpty(0).Max();
        return new WriteJournal(directory, last + 1);
    }

    /// <summary>
    /// Every whole record of one segment, in order. A cut-short tail ends the segment:
    /// <paramref name="tornBytes"/> says how many bytes after the last whole record were ignored.
    /// </summary>
    public static List<BsonDocument> ReadSegment(string path, out long tornBytes)
    {
        byte[] bytes = File.ReadAllBytes(path);
        var records = new List<BsonDocument>();
        int offset = 0;
        while (bytes.Length - offset >= HeaderLength)
        {
            int length = BinaryPrimitives.ReadInt32LittleEndian(bytes.AsSpan(offset));
            uint checksum = BinaryPrimitives.ReadUInt32LittleEndian(bytes.AsSpan(offset + 4));
            if (length <= 0 || length > MaxRecordLength || length > bytes.Length - offset - HeaderLength)
            {
                break;
            }

            var payload = bytes.AsSpan(offset + HeaderLength, length);
            if (Crc32.HashToUInt32(payload) != checksum)
            {
                break;
            }

            records.Add(BsonSerializer.Deserialize(payload.ToArray()));
            offset += HeaderLength + length;
        }

        tornBytes = bytes.Length - offset;
        return records;
    }

    /// <summary>Adds one record, framed, to <paramref name="buffer"/>.</summary>
    public static void Frame(BsonDocument record, ArrayBufferWriter<byte> buffer)
    {
        byte[] payload = BsonSerializer.Serialize(record);
        var header = buffer.GetSpan(HeaderLength);
        BinaryPrimitives.WriteInt32LittleEndian(header, payload.Length);
        BinaryPrimitives.WriteUInt32LittleEndian(header[4..], Crc32.HashToUInt32(payload));
        buffer.Advance(HeaderLength);
        buffer.Write(payload);
    }

    /// <summary>Writes <paramref name="bytes"/> at the end of the current segment (not yet durable: see <see cref="Segment.Sync"/>).</summary>
    public Segment Append(ReadOnlySpan<byte> bytes)
    {
        var segment = Current;
        RandomAccess.Write(segment.Handle, bytes, segment.Length);
        segment.Length += bytes.Length;
        return segment;
    }

    /// <summary>Starts a new segment and returns the one it replaces, for deleting once nothing needs it.</summary>
    public Segment Rotate()
    {
        var old = Current;
        Current = OpenSegment();
        return old;
    }

    public void Dispose() => Current.Dispose();

    private static long ParseNumber(string path)
    {
        string name = Path.GetFileName(path);
        return name.StartsWith(Prefix, StringComparison.Ordinal) && name.EndsWith(Suffix, StringComparison.Ordinal)
            && long.TryParse(name.AsSpan(Prefix.Length, name.Length - Prefix.Length - Suffix.Length), out long number)
            ? number
            : -1;
    }

    private Segment OpenSegment()
    {
        string path = Path.Combine(_directory, $"{Prefix}{_nextNumber++:D10}{Suffix}");
        var handle = File.OpenHandle(path, FileMode.CreateNew, FileAccess.ReadWrite, FileShare.Read);
        var segment = new Segment(path, handle);

        // The new file's name must survive a crash too: make the directory entry durable.
        SyncDirectory(_directory);
        return segment;
    }

    private static void SyncDirectory(string directory)
    {
        if (!OperatingSystem.IsLinux())
        {
            return;
        }

        int fd = Native.Open(directory, Native.ReadOnly | Native.Directory);
        if (fd < 0)
        {
            throw new IOException($"Cannot open {directory} to sync it (errno {Marshal.GetLastPInvokeError()}).");
        }

        try
        {
            if (Native.Fsync(fd) != 0)
            {
                throw new IOException($"fsync of {directory} failed (errno {Marshal.GetLastPInvokeError()}).");
            }
        }
        finally
        {
            _ = Native.Close(fd);
        }
    }

    /// <summary>One journal file.</summary>
    public sealed class Segment(string path, SafeFileHandle handle) : IDisposable
    {
        public string Path { get; } = path;

        public SafeFileHandle Handle { get; } = handle;

        /// <summary>Bytes written so far (only the writer thread changes it).</summary>
        public long Length { get; set; }

        /// <summary>Makes everything written to this segment durable: <c>fdatasync</c> on Linux (the file's data and its size, not its times).</summary>
        public void Sync()
        {
            if (OperatingSystem.IsLinux())
            {
                bool added = false;
                Handle.DangerousAddRef(ref added);
                try
                {
                    if (Native.Fdatasync((int)Handle.DangerousGetHandle()) != 0)
                    {
                        throw new IOException($"fdatasync of {Path} failed (errno {Marshal.GetLastPInvokeError()}).");
                    }
                }
                finally
                {
                    if (added)
                    {
                        Handle.DangerousRelease();
                    }
                }
            }
            else
            {
                RandomAccess.FlushToDisk(Handle);
            }
        }

        public void Delete()
        {
            Dispose();
            File.Delete(Path);
        }

        public void Dispose() => Handle.Dispose();
    }

    private static partial class Native
    {
        public const int ReadOnly = 0;
        public const int Directory = 0x10000; // O_DIRECTORY on Linux x86-64 and arm64

        [LibraryImport("libc", EntryPoint = "fdatasync", SetLastError = true)]
        public static partial int Fdatasync(int fd);

        [LibraryImport("libc", EntryPoint = "fsync", SetLastError = true)]
        public static partial int Fsync(int fd);

        [LibraryImport("libc", EntryPoint = "open", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
        public static partial int Open(string path, int flags);

        [LibraryImport("libc", EntryPoint = "close", SetLastError = true)]
        public static partial int Close(int fd);
    }
}
