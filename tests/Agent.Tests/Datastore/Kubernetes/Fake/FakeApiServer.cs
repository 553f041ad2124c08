using System.Collections.Concurrent;
using System.Globalization;
using System.Net;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Server.Kestrel.Https;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Routing.Agent.Tests.Datastore.Kubernetes.Fake;

/// <summary>
/// An in-test Kubernetes API server on loopback (random port, HTTP or HTTPS): the REST verbs, paged
/// lists, streamed watches with bookmarks, timeouts and 410 Gone, optimistic concurrency, as the
/// API conventions describe them, over <see cref="FakeObjectStore"/>. Tests install CRDs, shrink
/// the history, drop or end watch connections and make requests fail.
/// </summary>
public sealed partial class FakeApiServer : IAsyncDisposable
{
    private readonly WebApplication app;
    private readonly ConcurrentDictionary<(string Group, string Version, string Plural), FakeResourceType> types = new();
    private readonly ConcurrentQueue<string> requests = new();
    private int failuresLeft;
    private int failureCode;
    private int disposed;

    private FakeApiServer(WebApplication app, string? token)
    {
        this.app = app;
        Token = token;
        foreach (var type in FakeResourceType.BuiltIns)
        {
            Install(type);
        }
    }

    public FakeObjectStore Store { get; } = new();

    /// <summary>The bearer token every request must carry; none is needed when null.</summary>
    public string? Token { get; }

    /// <summary>The server's base address, e.g. <c>http://127.0.0.1:40123</c>.</summary>
    public Uri Address { get; private set; } = null!;

    /// <summary>How often a watch that allows bookmarks gets one; never when null (tests send them with <see cref="FakeObjectStore.Bookmark()"/>).</summary>
    public TimeSpan? BookmarkInterval { get; set; }

    /// <summary>The longest a watch request stays open, whatever <c>timeoutSeconds</c> it asked for.</summary>
    public TimeSpan MaxWatchTimeout { get; set; } = TimeSpan.FromMinutes(30);

    /// <summary>Called with each request (<c>METHOD /path?query</c>) before it is served: tests change the store between pages.</summary>
    public Action<string>? OnRequest { get; set; }

    /// <summary>Every request, as <c>METHOD /path?query</c>, in order.</summary>
    public IReadOnlyList<string> Requests => [.. requests];

    /// <summary>The subject of the client certificate of the last request that presented one.</summary>
    public string? LastClientCertificateSubject { get; private set; }

    /// <summary>
    /// Starts the server: HTTPS with <paramref name="certificate"/> when given (and asking for a
    /// client certificate when <paramref name="requireClientCertificate"/>), plain HTTP otherwise.
    /// </summary>
    public static async Task<FakeApiServer> StartAsync(string? token = null, X509Certificate2? certificate = null, bool requireClientCertificate = false)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, 0, listen =>
        {
            if (certificate is not null)
            {
                listen.UseHttps(new HttpsConnectionAdapterOptions
                {
                    ServerCertificate = certificate,
                    ClientCertificateMode = requireClientCertificate ? ClientCertificateMode.RequireCertificate : ClientCertificateMode.NoCertificate,

                    // Tests check which certificate came, not who issued it.
                    ClientCertificateValidation = (_, _, _) => true,
                });
            }
        }));
        var app = builder.Build();
        var server = new FakeApiServer(app, token);
        app.Run(server.HandleAsync);
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single();
        server.Address = new Uri(address);
        return server;
    }

    public void Install(FakeResourceType type) => types[(type.Group, type.Version, type.Plural)] = type;

    /// <summary>The next <paramref name="count"/> requests get <paramref name="code"/> with an InternalError-like Status.</summary>
    public void FailNext(int count, int code = 503)
    {
        failureCode = code;
        Volatile.Write(ref failuresLeft, count);
    }

    /// <summary>Cuts every open watch connection without a proper end, losing what was queued for it.</summary>
    public void DropWatches()
    {
        foreach (var watcher in Store.Watchers())
        {
            watcher.Abort?.Invoke();
        }
    }

    /// <summary>Ends every open watch response cleanly, as the server-side timeout does.</summary>
    public void EndWatches()
    {
        foreach (var watcher in Store.Watchers())
        {
            watcher.End?.Invoke();
        }
    }

    /// <summary>Waits until <paramref name="count"/> watches are open.</summary>
    public async Task WaitForWatchersAsync(int count, TimeSpan? timeout = null)
    {
        using var cancel = new CancellationTokenSource(timeout ?? TimeSpan.FromSeconds(10));
        while (Store.WatcherCount < count)
        {
            await Task.Delay(10, cancel.Token);
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref disposed, 1) != 0)
        {
            return;
        }

        DropWatches();
        await app.StopAsync();
        await app.DisposeAsync();
    }

    private async Task HandleAsync(HttpContext context)
    {
        var request = context.Request;
        var line = $"{request.Method} {request.Path}{request.QueryString}";
        requests.Enqueue(line);
        OnRequest?.Invoke(line);
        if (context.Connection.ClientCertificate is { } client)
        {
            LastClientCertificateSubject = client.Subject;
        }
        if (Token is not null && request.Headers.Authorization.ToString() != $"Bearer {Token}")
        {
            await WriteAsync(context, 401, FakeStatus.Unauthorized());
            return;
        }

        if (Interlocked.Decrement(ref failuresLeft) >= 0)
        {
            await WriteAsync(context, failureCode, FakeStatus.Failure(failureCode, "InternalError", "the test asked for this failure"));
            return;
        }

        if (!TryRoute(request.Path.Value ?? "", out var type, out var ns, out var name))
        {
            await WriteAsync(context, 404, FakeStatus.NoSuchResource());
            return;
        }

        var (code, body) = (request.Method, name) switch
        {
            ("GET", null) when request.Query["watch"] is ["1" or "true"] => (0, null),
            ("GET", null) => Store.List(type, ns, Int(request.Query["limit"]), NullIfEmpty(request.Query["continue"])),
            ("GET", _) => Store.Get(type, ns, name),
            ("POST", null) when !type.Namespaced || ns.Length > 0 => Store.Create(type, ns, await ReadObjectAsync(context)),
            ("PUT", not null) => Store.Update(type, ns, name, await ReadObjectAsync(context)),
            ("DELETE", not null) => Store.Delete(type, ns, name, await ReadPreconditionAsync(context)),
            _ => (405, FakeStatus.Failure(405, "MethodNotAllowed", $"the server does not allow this method on the requested resource")),
        };
        if (code == 0)
        {
            await WatchAsync(context, type, ns);
            return;
        }

        await WriteAsync(context, code, body!);
    }

    /// <summary>
    /// <c>/api/v1[/namespaces/NS]/PLURAL[/NAME]</c> or <c>/apis/GROUP/VERSION[/namespaces/NS]/PLURAL[/NAME]</c>,
    /// for a resource this server serves at that scope.
    /// </summary>
    private bool TryRoute(string path, out FakeResourceType type, out string ns, out string? name)
    {
        type = null!;
        ns = "";
        name = null;
        var segments = path.Split('/', StringSplitOptions.RemoveEmptyEntries).Select(Uri.UnescapeDataString).ToArray();
        string group, version;
        ArraySegment<string> rest;
        if (segments is ["api", var v, ..])
        {
            (group, version, rest) = ("", v, segments[2..]);
        }
        else if (segments is ["apis", var g, var v2, ..])
        {
            (group, version, rest) = (g, v2, segments[3..]);
        }
        else
        {
            return false;
        }

        if (rest.Count >= 3 && rest[0] == "namespaces")
        {
            ns = rest[1];
            rest = rest[2..];
        }

        if (rest.Count is < 1 or > 2 || !types.TryGetValue((group, version, rest[0]), out type!))
        {
            return false;
        }

        name = rest.Count == 2 ? rest[1] : null;

        // Cluster-scoped kinds have no namespaced paths; a namespaced object needs its namespace.
        return ns.Length == 0 ? !type.Namespaced || name is null : type.Namespaced;
    }

    private static async Task<JsonObject> ReadObjectAsync(HttpContext context) =>
        await JsonNode.ParseAsync(context.Request.Body) as JsonObject ?? [];

    private static async Task<string?> ReadPreconditionAsync(HttpContext context)
    {
        if (context.Request.ContentLength is 0 or null && !context.Request.Headers.ContainsKey("Transfer-Encoding"))
        {
            return null;
        }

        var body = await JsonNode.ParseAsync(context.Request.Body);
        return (string?)body?["preconditions"]?["resourceVersion"];
    }

    private static async Task WriteAsync(HttpContext context, int code, JsonObject body)
    {
        context.Response.StatusCode = code;
        context.Response.ContentType = "application/json";
        await context.Response.WriteAsync(body.ToJsonString());
    }

    private static int? Int(string? text) =>
        int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var value) ? value : null;

    private static string? NullIfEmpty(string? text) => string.IsNullOrEmpty(text) ? null : text;
}
