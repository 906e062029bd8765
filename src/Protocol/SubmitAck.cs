using MessagePack;

namespace CollabEdit.Protocol;

/// <summary>The answer to <c>Submit</c>, sent once the op is durable: the revision it committed as.</summary>
[MessagePackObject]
public sealed record SubmitAck([property: Key("revision")] int Revision);
