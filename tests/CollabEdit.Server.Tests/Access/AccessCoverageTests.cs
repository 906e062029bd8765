using System.Reflection;
using CollabEdit.Server.Access;
using CollabEdit.Server.Api;
using CollabEdit.Server.Hubs;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace CollabEdit.Server.Tests.Access;

/// <summary>
/// No hub method and no REST route ships unchecked: each states what it does with a document (or
/// why it touches none), and each REST route passes through the access filter. A new one without a
/// rule fails here (and is refused at run time anyway).
/// </summary>
public sealed class AccessCoverageTests
{
    /// <summary>The hub's methods a client can call.</summary>
    public static IEnumerable<MethodInfo> HubMethods() =>
        typeof(CollabHub).GetMethods(BindingFlags.Public | BindingFlags.Instance | BindingFlags.DeclaredOnly)
            .Where(m => m.Name is not (nameof(CollabHub.OnConnectedAsync) or nameof(CollabHub.OnDisconnectedAsync)) && !m.IsSpecialName);

    /// <summary>Every REST route under /api as "METHOD /pattern", but the API reference pages.</summary>
    public static IEnumerable<string> RestRoutes(WebApplication app) => ApiEndpoints(app).Select(e => Name(e));

    [Fact]
    public void EveryHubMethod_HasAnAccessRule()
    {
        var unruled = HubMethods()
            .Where(m => m.GetCustomAttribute<RequiresCapabilityAttribute>() is null && m.GetCustomAttribute<NoDocumentCapabilityAttribute>() is null)
            .Select(m => m.Name);
        Assert.Empty(unruled);
        Assert.Contains(HubMethods(), m => m.Name == "Submit"); // The enumeration itself finds the methods.
    }

    [Fact]
    public void EveryHubMethodWithARule_TakesTheDocumentIdFirst()
    {
        var wrong = HubMethods()
            .Where(m => m.GetCustomAttribute<RequiresCapabilityAttribute>() is not null)
            .Where(m => m.GetParameters() is not [{ ParameterType: var type, Name: "documentId" }, ..] || type != typeof(string))
            .Select(m => m.Name);
        Assert.Empty(wrong);
    }

    [Fact]
    public async Task EveryRestRoute_PassesTheAccessFilter_WithARule()
    {
        await using var server = await RunningServer.StartAsync();
        var endpoints = ApiEndpoints(server.App).ToList();
        Assert.Contains(endpoints, e => Name(e) == "DELETE /api/documents/{id}");

        var unchecked_ = endpoints.Where(e => e.Metadata.GetMetadata<DocumentAccessChecked>() is null).Select(Name);
        var unruled = endpoints
            .Where(e => e.Metadata.GetMetadata<RequiresCapabilityAttribute>() is null && e.Metadata.GetMetadata<NoDocumentCapabilityAttribute>() is null)
            .Select(Name);
        var ruledWithoutId = endpoints
            .Where(e => e.Metadata.GetMetadata<RequiresCapabilityAttribute>() is not null && e.RoutePattern.GetParameter("id") is null)
            .Select(Name);
        Assert.Empty(unchecked_);
        Assert.Empty(unruled);
        Assert.Empty(ruledWithoutId);
    }

    private static IEnumerable<RouteEndpoint> ApiEndpoints(WebApplication app) =>
        app.Services.GetRequiredService<EndpointDataSource>().Endpoints.OfType<RouteEndpoint>()
            .Where(e => e.RoutePattern.RawText?.TrimStart('/').StartsWith("api/", StringComparison.Ordinal) == true)
            .Where(e => !e.RoutePattern.RawText!.TrimStart('/').StartsWith(ApiReference.Path.TrimStart('/'), StringComparison.Ordinal));

    private static string Name(RouteEndpoint endpoint)
    {
        string method = endpoint.Metadata.GetMetadata<IHttpMethodMetadata>()?.HttpMethods.FirstOrDefault() ?? "ANY";
        return $"{method} /{endpoint.RoutePattern.RawText!.TrimStart('/').TrimEnd('/')}";
    }
}
