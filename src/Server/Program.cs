using CollabEdit.Server;
using CollabEdit.Server.Storage;

try
{
    var app = CollabEditApp.Create(args);
    app.Run();
    return 0;
}
catch (DataDirectoryInUseException e)
{
    Console.Error.WriteLine($"CollabEdit: {e.Message}");
    return 2;
}
