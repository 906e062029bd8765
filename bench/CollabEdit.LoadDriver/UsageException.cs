namespace CollabEdit.LoadDriver;

/// <summary>The command line is wrong: print why and the usage, exit 2.</summary>
internal sealed class UsageException(string message) : Exception(message);
