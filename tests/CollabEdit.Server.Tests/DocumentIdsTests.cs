using System.Buffers.Text;
using CollabEdit.Server.Documents;

namespace CollabEdit.Server.Tests;

/// <summary>A document id is the capability to edit it (anyone with the URL can): it must not be guessable.</summary>
public sealed class DocumentIdsTests
{
    [Fact]
    public void New_Carries128RandomBitsInAValidId()
    {
        string[] ids = [.. Enumerable.Range(0, 1000).Select(_ => DocumentIds.New())];

        Assert.All(ids, id => Assert.True(DocumentIds.IsValid(id), id));
        Assert.All(ids, id => Assert.Equal(16, Base64Url.DecodeFromChars(id).Length));
        Assert.Equal(ids.Length, ids.Distinct(StringComparer.Ordinal).Count());
    }

    [Theory]
    [InlineData("0123456789abcdef")] // The 16 hex characters of ids created before ids had 128 bits.
    [InlineData("a")]
    [InlineData("Ab-_09")]
    public void IsValid_IdsOfEarlierFormats_StayValid(string id)
    {
        Assert.True(DocumentIds.IsValid(id));
    }
}
