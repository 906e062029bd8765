namespace CollabEdit.Server.Api;

/// <summary>Endpoint metadata: the route passes through <see cref="DocumentAccessFilter"/>.</summary>
public sealed class DocumentAccessChecked
{
    public static readonly DocumentAccessChecked Instance = new();

    private DocumentAccessChecked()
    {
    }
}
