using CollabEdit.Ot;

namespace CollabEdit.Server.Tests;

/// <summary>
/// The .NET client's anchors and length-only edits (what the load driver types with): an anchor
/// follows remote and local edits as another person's caret does, and edits made at it land
/// where the text there says they should.
/// </summary>
public sealed class ClientAnchorTests
{
    [Fact]
    public async Task Anchor_FollowsRemoteEditsBeforeIt_AndStaysBeforeTextTypedAtIt()
    {
        await using var server = await RunningServer.StartAsync();
        string id = await server.CreateDocumentAsync("[a]\n[b]\n");
        var ann = await server.OpenAsync(id, "Ann");
        var bob = await server.OpenAsync(id, "Bob");
        var bobsSection = bob.CreateAnchor(text => text.IndexOf("[b]\n", StringComparison.Ordinal) + 4);
        Assert.Equal(8, bobsSection.Index);

        for (int i = 0; i < 20; i++)
        {
            // Ann types into her section (before Bob's), Bob at the start of his: both at once.
            ann.Edit(text => TextOperation.Splice(text.Length, text.IndexOf("[a]\n", StringComparison.Ordinal) + 4, 0, "A"));
            bob.EditByLength(length => TextOperation.Splice(length, bobsSection.Index, 0, "b"));
            if (i % 5 == 4)
            {
                ann.Edit(text => TextOperation.Splice(text.Length, 4, 1, "")); // and deletes some of it
            }
        }

        await Eventually.SynchronizedAsync(ann, bob);
        await Eventually.TrueAsync(() => ann.Text == bob.Text, "both clients have the same text");

        string expected = "[a]\n" + new string('A', 16) + "[b]\n" + new string('b', 20);
        Assert.Equal(expected, bob.Text);
        Assert.Equal(expected, (await server.GetDocumentAsync(id)).Text);
        Assert.Equal(expected.IndexOf("[b]\n", StringComparison.Ordinal) + 4, bobsSection.Index);
    }
}
