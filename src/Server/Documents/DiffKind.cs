namespace CollabEdit.Server.Documents;

/// <summary>What a piece of a compare is: in both texts, only in the newer (inserted), only in the older (deleted).</summary>
public enum DiffKind
{
    Equal,
    Insert,
    Delete,
}
