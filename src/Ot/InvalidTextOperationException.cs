namespace CollabEdit.Ot;

/// <summary>
/// Thrown when an operation is malformed or does not fit the text it is used with. The message
/// names the function and the lengths involved; nothing was changed when it is thrown.
/// </summary>
public sealed class InvalidTextOperationException : ArgumentException
{
    /// <summary>Creates the exception with a message naming the function and lengths.</summary>
    public InvalidTextOperationException(string message)
        : base(message)
    {
    }
}
