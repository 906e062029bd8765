using MessagePack;
using MessagePack.Resolvers;

namespace CollabEdit.Protocol;

/// <summary>
/// The MessagePack resolver for CollabEdit's wire types: <c>TextOperation</c> through
/// <see cref="TextOperationFormatter"/>, loosely typed arguments through
/// <see cref="StrictObjectFormatter"/>, everything else through the standard resolver.
/// </summary>
public static class CollabEditResolver
{
    public static IFormatterResolver Instance { get; } = CompositeResolver.Create(
        [TextOperationFormatter.Instance, StrictObjectFormatter.Instance],
        [StandardResolver.Instance]);

    public static MessagePackSerializerOptions Options { get; } =
        MessagePackSerializerOptions.Standard.WithResolver(Instance).WithSecurity(MessagePackSecurity.UntrustedData);

    /// <summary>The options for a server: loosely typed ops larger than <paramref name="limits"/> are skipped unread.</summary>
    public static MessagePackSerializerOptions ForServer(OpReadLimits limits) =>
        MessagePackSerializerOptions.Standard
            .WithResolver(CompositeResolver.Create([TextOperationFormatter.Instance, new StrictObjectFormatter(limits)], [StandardResolver.Instance]))
            .WithSecurity(MessagePackSecurity.UntrustedData);
}
