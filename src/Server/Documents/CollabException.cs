namespace CollabEdit.Server.Documents;

/// <summary>
/// A refusal with one of the error codes of <see cref="Protocol.ErrorCodes"/>. The hub turns it
/// into a HubException "code: message"; the REST API into a problem detail whose status is the
/// code's (<see cref="Api.ErrorStatus"/>).
/// </summary>
public sealed class CollabException(string code, string message) : Exception(message)
{
    public string Code { get; } = code;
}
