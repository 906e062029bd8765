using System.Diagnostics.Metrics;
using CollabEdit.Server.Configuration;
using CollabEdit.Server.Diagnostics;
using CollabEdit.Server.Storage;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;

namespace CollabEdit.Server.Tests.Storage;

/// <summary>
/// The storage contract against <see cref="DocumentStore"/> (LiteDB and its write journal) on real
/// files. A crash is a copy of the data directory taken while the store runs: it holds exactly what
/// had reached the files (the page cache survives a kill -9), journal included.
/// </summary>
public sealed class LiteDbStorageContractTests : DocumentStorageContract, IDisposable
{
    private readonly ServiceProvider _services = new ServiceCollection().AddMetrics().BuildServiceProvider();
    private readonly Dictionary<IDocumentStorage, string> _directories = [];
    private readonly List<string> _allDirectories = [];

    public void Dispose()
    {
        foreach (var storage in _directories.Keys)
        {
            ((DocumentStore)storage).Dispose();
        }

        _services.Dispose();
        foreach (string directory in _allDirectories)
        {
            RunningServer.TryDelete(directory);
        }
    }

    protected override IDocumentStorage Open() => OpenAt(NewDirectory());

    protected override IDocumentStorage Restart(IDocumentStorage storage)
    {
        string directory = _directories[storage];
        Close(storage);
        return OpenAt(directory);
    }

    protected override IDocumentStorage CrashAndReopen(IDocumentStorage storage)
    {
        string crashed = NewDirectory();
        foreach (string file in Directory.EnumerateFiles(_directories[storage]))
        {
            if (Path.GetFileName(file) != "collabedit.lock")
            {
                File.Copy(file, Path.Combine(crashed, Path.GetFileName(file)));
            }
        }

        return OpenAt(crashed);
    }

    private IDocumentStorage OpenAt(string directory)
    {
        var store = new DocumentStore(
            DataDirectoryLock.Acquire(directory),
            directory,
            new NoWriteFaults(),
            new CollabEditMetrics(_services.GetRequiredService<IMeterFactory>()),
            NullLogger<DocumentStore>.Instance,
            StorageOptions.DefaultCheckpointBytes);
        _directories.Add(store, directory);
        return store;
    }

    private void Close(IDocumentStorage storage)
    {
        _ = _directories.Remove(storage);
        ((DocumentStore)storage).Dispose();
    }

    private string NewDirectory()
    {
        string directory = RunningServer.NewDataPath();
        Directory.CreateDirectory(directory);
        _allDirectories.Add(directory);
        return directory;
    }
}
