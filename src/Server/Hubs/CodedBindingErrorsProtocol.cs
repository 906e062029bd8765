using System.Buffers;
using System.Diagnostics.CodeAnalysis;
using System.Runtime.ExceptionServices;
using CollabEdit.Protocol;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.SignalR;
using Microsoft.AspNetCore.SignalR.Protocol;

namespace CollabEdit.Server.Hubs;

/// <summary>
/// A hub protocol (JSON or MessagePack) whose argument-binding failures carry an error code. A
/// call whose arguments SignalR cannot bind (wrong types, wrong count, an unknown method) never
/// reaches the hub or its filters; SignalR answers it with the binding exception's message only if
/// that exception is a HubException, so the failure is replaced by one saying <c>invalid-op</c>.
/// </summary>
internal sealed class CodedBindingErrorsProtocol(IHubProtocol inner) : IHubProtocol
{
    private static readonly HubException Misbound = new(
        $"{ErrorCodes.InvalidOp}: the arguments do not match the method's parameters (names, counts and types are in docs/protocol.md).");

    public string Name => inner.Name;

    public int Version => inner.Version;

    public TransferFormat TransferFormat => inner.TransferFormat;

    public bool TryParseMessage(ref ReadOnlySequence<byte> input, IInvocationBinder binder, [NotNullWhen(true)] out HubMessage? message)
    {
        if (!inner.TryParseMessage(ref input, binder, out message))
        {
            return false;
        }

        if (message is InvocationBindingFailureMessage failure)
        {
            message = new InvocationBindingFailureMessage(failure.InvocationId, failure.Target, ExceptionDispatchInfo.Capture(Misbound));
        }

        return true;
    }

    public void WriteMessage(HubMessage message, IBufferWriter<byte> output) => inner.WriteMessage(message, output);

    public ReadOnlyMemory<byte> GetMessageBytes(HubMessage message) => inner.GetMessageBytes(message);

    public bool IsVersionSupported(int version) => inner.IsVersionSupported(version);
}
