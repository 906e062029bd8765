using System.Text.Json;
using CollabEdit.Protocol;
using CsCheck;
using MessagePack;

namespace CollabEdit.Ot.Tests;

/// <summary>
/// The OT laws as properties. CsCheck prints the seed of any failure; rerun it by passing
/// <c>seed:</c> to Sample (or setting CsCheck_Seed), and keep the counterexample as a named fact
/// in TextOperationTests (section "Counterexamples").
/// </summary>
public sealed class TextOperationPropertyTests
{
    [Fact]
    public void Compose_AppliesLikeBothInTurn() =>
        Generators.Consecutive.Sample((text, a, b) =>
        {
            var composed = TextOperation.Compose(a, b);
            Assert.Equal(b.Apply(a.Apply(text)), composed.Apply(text));
            Assert.Equal(a.BaseLength, composed.BaseLength);
            Assert.Equal(b.TargetLength, composed.TargetLength);
        }, iter: Properties.Iterations);

    [Fact]
    public void Transform_ConvergesTP1() =>
        Generators.Concurrent.Sample((text, a, b) =>
        {
            var (aPrime, bPrime) = TextOperation.Transform(a, b);
            Assert.Equal(bPrime.Apply(a.Apply(text)), aPrime.Apply(b.Apply(text)));
        }, iter: Properties.Iterations);

    [Fact]
    public void Transform_ComposedPathsAreEqualOps() =>
        Generators.Concurrent.Sample((_, a, b) =>
        {
            var (aPrime, bPrime) = TextOperation.Transform(a, b);
            Assert.Equal(TextOperation.Compose(a, bPrime), TextOperation.Compose(b, aPrime));
        }, iter: Properties.Iterations);

    [Fact]
    public void Transform_AgainstNoop_ChangesNothing() =>
        Generators.TextAndOp.Sample((text, op) =>
        {
            var (opPrime, noopPrime) = TextOperation.Transform(op, TextOperation.Identity(text.Length));
            Assert.Equal(op, opPrime);
            Assert.True(noopPrime.IsNoop);
        }, iter: Properties.Iterations);

    [Fact]
    public void Invert_UndoesApply() =>
        Generators.TextAndOp.Sample((text, op) =>
        {
            var inverse = op.Invert(text);
            Assert.Equal(text, inverse.Apply(op.Apply(text)));
            Assert.Equal(op.TargetLength, inverse.BaseLength);
        }, iter: Properties.Iterations);

    [Fact]
    public void TransformIndex_StaysInRangeAndFollowsTheCharacter() =>
        Gen.Select(Generators.TextAndOp, Gen.Int[0, 1000], Gen.Bool).Sample((pair, seed, ownEdit) =>
        {
            var (text, op) = pair;
            int index = seed % (text.Length + 1);
            string after = op.Apply(text);
            int moved = op.TransformIndex(index, ownEdit);
            Assert.InRange(moved, 0, after.Length);

            // A character that survives the op is found at the own-edit position of its index.
            if (index < text.Length && !IsDeleted(op, index))
            {
                Assert.Equal(text[index], after[op.TransformIndex(index, ownEdit: true)]);
            }

            // A remote insert at the index stays after the caret: only inserted text lies between.
            int own = op.TransformIndex(index, ownEdit: true);
            Assert.True(moved <= own);
        }, iter: Properties.Iterations);

    [Fact]
    public void Builder_IsIdempotentOnCanonicalOps() =>
        Generators.TextAndOp.Sample((_, op) =>
        {
            var rebuilt = TextOperation.FromComponents(op.Components);
            Assert.Equal(op, rebuilt);
            AssertCanonical(op);
        }, iter: Properties.Iterations);

    [Fact]
    public void Compose_AndTransform_ProduceCanonicalOps() =>
        Generators.Consecutive.Sample((_, a, b) =>
        {
            AssertCanonical(TextOperation.Compose(a, b));
            var (x, y) = TextOperation.Transform(a, TextOperation.Identity(a.BaseLength));
            AssertCanonical(x);
            AssertCanonical(y);
        }, iter: Properties.Iterations);

    [Fact]
    public void Json_RoundTrips() =>
        Generators.TextAndOp.Sample((_, op) =>
        {
            string json = JsonSerializer.Serialize(op);
            Assert.Equal(op, JsonSerializer.Deserialize<TextOperation>(json));
            Assert.Equal(op, WireFormat.Parse(WireFormat.ToValues(op)));
        }, iter: Properties.Iterations);

    [Fact]
    public void MessagePack_RoundTrips() =>
        Generators.TextAndOp.Sample((_, op) =>
        {
            byte[] bytes = MessagePackSerializer.Serialize(op, CollabEditResolver.Options);
            Assert.Equal(op, MessagePackSerializer.Deserialize<TextOperation>(bytes, CollabEditResolver.Options));
        }, iter: Properties.Iterations);

    [Fact]
    public void Document_AppliesLikeString() =>
        Gen.Select(Generators.Text, Generators.Choices.Array[1, 12]).Sample((text, choices) =>
        {
            var document = new TextDocument(text);
            string expected = text;
            foreach (var c in choices)
            {
                var op = Generators.OpFor(expected, c);
                expected = op.Apply(expected);
                document.Apply(op);
                Assert.Equal(expected.Length, document.Length);
            }

            Assert.Equal(expected, document.ToString());
        }, iter: Properties.Iterations / 4);

    internal static void AssertCanonical(TextOperation op)
    {
        var components = op.Components;
        for (int i = 1; i < components.Count; i++)
        {
            Assert.NotEqual(components[i - 1].GetType(), components[i].GetType());
            Assert.False(components[i - 1] is Delete && components[i] is Insert, $"delete before insert in {op}");
        }
    }

    private static bool IsDeleted(TextOperation op, int index)
    {
        int pos = 0;
        foreach (var component in op.Components)
        {
            if (component is Delete d && index >= pos && index < pos + d.Count)
            {
                return true;
            }

            pos += component.BaseLength;
        }

        return false;
    }
}
