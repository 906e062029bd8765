using CollabEdit.Server;
using CollabEdit.Server.Storage;
using Microsoft.Extensions.Options;

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
catch (OptionsValidationException e)
{
    Console.Error.WriteLine($"CollabEdit: invalid configuration: {e.Message}");
    return 2;
}
