namespace CollabEdit.Ot.Tests;

/// <summary>Short ways to write ops in tests: <c>Ops.Of(5, "hello", -3, 2)</c> is the wire form.</summary>
internal static class Ops
{
    public static TextOperation Of(params object[] wire) => WireFormat.Parse(wire);
}
