using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Routing.Agent.Datastore.Store;

namespace Routing.Agent.Datastore.Kubernetes;

/// <summary>
/// The <c>kubernetes</c> datastore: resources are objects of the API server (Routing's kinds as
/// CRDs under <c>routing.dev/v1</c>, see <see cref="KubernetesKinds"/>), the revision is
/// <c>metadata.resourceVersion</c>, writes are optimistic-concurrency PUTs and preconditioned
/// DELETEs, and watches are the API's streamed watch with bookmarks, resumed after a drop.
/// KubernetesClient is not on the package mirror, so this speaks the REST API with
/// <see cref="HttpClient"/> and source-generated System.Text.Json (<see cref="KubernetesJsonContext"/>).
/// </summary>
public sealed partial class KubernetesResourceStore : IResourceStore
{
    private static readonly MediaTypeWithQualityHeaderValue Json = new("application/json");

    private readonly KubernetesClientConfig config;
    private readonly KubernetesStoreOptions options;
    private readonly HttpClient http;

    public KubernetesResourceStore(KubernetesClientConfig config, KubernetesStoreOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(config);
        this.config = config;
        this.options = options ?? new KubernetesStoreOptions();
        ArgumentOutOfRangeException.ThrowIfLessThan(this.options.PageSize, 1, nameof(options));
        ArgumentOutOfRangeException.ThrowIfLessThan(this.options.WatchTimeout, TimeSpan.FromSeconds(1), nameof(options));

        // Timeouts are per request (watches stay open for minutes), so the client has none.
        http = new HttpClient(config.CreateHandler(), disposeHandler: true)
        {
            BaseAddress = config.Server,
            Timeout = Timeout.InfiniteTimeSpan,
        };
    }

    /// <summary>The API server this store talks to.</summary>
    public Uri Server => config.Server;

    /// <summary>
    /// Opens the datastore a <c>kubernetes</c> or <c>kubernetes:/path/to/kubeconfig</c> URI names:
    /// that kubeconfig; else <c>$KUBECONFIG</c>; else the pod's service account (in-cluster); else
    /// <c>~/.kube/config</c>. Nothing is sent to the server until the first call.
    /// </summary>
    /// <exception cref="NotSupportedException">The URI is not a <c>kubernetes</c> datastore.</exception>
    /// <exception cref="KubernetesConfigException">No usable configuration; the message says what is missing.</exception>
    public static KubernetesResourceStore Open(DatastoreUri uri, KubernetesStoreOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(uri);
        if (uri.Kind != DatastoreKind.Kubernetes)
        {
            throw new NotSupportedException($"'{uri}' is not a kubernetes datastore");
        }

        return new KubernetesResourceStore(ResolveConfig(uri.Path), options);
    }

    /// <summary>The configuration <see cref="Open"/> uses, in its order of preference.</summary>
    public static KubernetesClientConfig ResolveConfig(string? kubeconfigPath)
    {
        if (!string.IsNullOrEmpty(kubeconfigPath))
        {
            return Kubeconfig.Load(kubeconfigPath);
        }

        if (Environment.GetEnvironmentVariable("KUBECONFIG") is { Length: > 0 } list)
        {
            return Kubeconfig.Load(list.Split(':', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
        }

        if (InClusterConfig.IsAvailable())
        {
            return InClusterConfig.Load();
        }

        var home = Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".kube", "config");
        return File.Exists(home)
            ? Kubeconfig.Load(home)
            : throw new KubernetesConfigException(
                $"no Kubernetes API server configured: not in a pod (no KUBERNETES_SERVICE_HOST or service account token), $KUBECONFIG is not set and {home} does not exist; " +
                "use --datastore kubernetes:/path/to/kubeconfig");
    }

    public async Task<StoredResource?> GetAsync(ResourceKey key, CancellationToken cancellationToken = default)
    {
        var resource = KubernetesKinds.Find(key.Kind);
        var (code, body) = await SendAsync(HttpMethod.Get, resource.ItemPath(key), null, "get", resource, key, cancellationToken).ConfigureAwait(false);
        if (code == HttpStatusCode.NotFound && ApiErrors.IsObjectNotFound(ApiErrors.ParseStatus(body), key))
        {
            return null;
        }

        return code == HttpStatusCode.OK ? ToStored(resource, body) : throw ApiErrors.ToException("get", resource, key, code, body);
    }

    public async Task<ResourceList> ListAsync(string kind, CancellationToken cancellationToken = default)
    {
        var resource = KubernetesKinds.Find(kind);
        try
        {
            return await ListPagesAsync(resource, options.PageSize, cancellationToken).ConfigureAwait(false);
        }
        catch (ResourceStoreException e) when (e.Error == ResourceStoreError.Expired)
        {
            // The continue token outlived the server's history (a long list, or a compaction):
            // as client-go's pager does, fall back to one unpaged list, consistent by construction.
            return await ListPagesAsync(resource, pageSize: null, cancellationToken).ConfigureAwait(false);
        }
    }

    private async Task<ResourceList> ListPagesAsync(KubernetesApiResource resource, int? pageSize, CancellationToken cancellationToken)
    {
        var items = new List<StoredResource>();
        string? revision = null;
        string? next = null;
        do
        {
            var query = new StringBuilder(resource.CollectionPath());
            query.Append('?');
            if (pageSize is { } limit)
            {
                query.Append("limit=").Append(limit);
            }

            if (next is not null)
            {
                query.Append("&continue=").Append(Uri.EscapeDataString(next));
            }

            var (code, body) = await SendAsync(HttpMethod.Get, query.ToString(), null, "list", resource, null, cancellationToken).ConfigureAwait(false);
            if (code != HttpStatusCode.OK)
            {
                throw ApiErrors.ToException("list", resource, null, code, body);
            }

            var page = JsonSerializer.Deserialize(body, KubernetesJsonContext.Default.ListEnvelope)
                ?? throw new KubernetesApiException($"kubernetes: list {resource.Kind}: the response is not a list");
            foreach (var item in page.Items ?? [])
            {
                items.Add(ToStored(resource, item));
            }

            // Every page of a paged list is served at the first page's resourceVersion.
            revision ??= page.Metadata?.ResourceVersion;
            next = page.Metadata?.Continue is { Length: > 0 } token ? token : null;
        }
        while (next is not null);

        return new ResourceList(items, revision ?? throw new KubernetesApiException($"kubernetes: list {resource.Kind}: the response has no metadata.resourceVersion"));
    }

    public async Task<StoredResource> CreateAsync(ResourceKey key, string json, CancellationToken cancellationToken = default)
    {
        var resource = KubernetesKinds.Find(key.Kind);
        resource.CheckScope(key);
        var document = PrepareForWrite(resource, key, json, revision: null);
        var (code, body) = await SendAsync(HttpMethod.Post, resource.CollectionPath(key.Namespace), document, "create", resource, key, cancellationToken).ConfigureAwait(false);
        return code is HttpStatusCode.Created or HttpStatusCode.OK or HttpStatusCode.Accepted
            ? ToStored(resource, body)
            : throw ApiErrors.ToException("create", resource, key, code, body);
    }

    public async Task<StoredResource> UpdateAsync(ResourceKey key, string json, string expectedRevision, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(expectedRevision);
        var resource = KubernetesKinds.Find(key.Kind);
        var document = PrepareForWrite(resource, key, json, expectedRevision);
        var (code, body) = await SendAsync(HttpMethod.Put, resource.ItemPath(key), document, "update", resource, key, cancellationToken).ConfigureAwait(false);
        return code is HttpStatusCode.OK or HttpStatusCode.Created
            ? ToStored(resource, body)
            : throw ApiErrors.ToException("update", resource, key, code, body);
    }

    public async Task<bool> DeleteAsync(ResourceKey key, string? expectedRevision = null, CancellationToken cancellationToken = default)
    {
        var resource = KubernetesKinds.Find(key.Kind);
        // The API server deletes only if the object is still at this resourceVersion (else 409 Conflict).
        var preconditions = expectedRevision is null
            ? null
            : JsonSerializer.Serialize(new DeleteOptions("DeleteOptions", "v1", new Preconditions(expectedRevision)), KubernetesJsonContext.Default.DeleteOptions);
        var (code, body) = await SendAsync(HttpMethod.Delete, resource.ItemPath(key), preconditions, "delete", resource, key, cancellationToken).ConfigureAwait(false);
        if (code == HttpStatusCode.NotFound && ApiErrors.IsObjectNotFound(ApiErrors.ParseStatus(body), key))
        {
            return false;
        }

        return code is HttpStatusCode.OK or HttpStatusCode.Accepted ? true : throw ApiErrors.ToException("delete", resource, key, code, body);
    }

    public ValueTask DisposeAsync()
    {
        http.Dispose();
        config.Dispose();
        return ValueTask.CompletedTask;
    }

    /// <summary>One request and its whole response; transport failures and timeouts become <see cref="KubernetesApiException"/>.</summary>
    private async Task<(HttpStatusCode Code, string Body)> SendAsync(
        HttpMethod method, string pathAndQuery, string? body, string verb, KubernetesApiResource resource, ResourceKey? key, CancellationToken cancellationToken)
    {
        using var request = NewRequest(method, pathAndQuery, body);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(options.RequestTimeout);
        try
        {
            using var response = await http.SendAsync(request, timeout.Token).ConfigureAwait(false);
            var text = await response.Content.ReadAsStringAsync(timeout.Token).ConfigureAwait(false);
            return (response.StatusCode, text);
        }
        catch (OperationCanceledException e) when (!cancellationToken.IsCancellationRequested)
        {
            throw new KubernetesApiException(
                $"kubernetes: {verb} {key?.ToString() ?? resource.Kind}: no answer from {config.Server} within {options.RequestTimeout.TotalSeconds:0.#} s", null, null, e);
        }
        catch (HttpRequestException e)
        {
            throw Unreachable(verb, resource, key, e);
        }
    }

    private HttpRequestMessage NewRequest(HttpMethod method, string pathAndQuery, string? body)
    {
        var request = new HttpRequestMessage(method, pathAndQuery);
        request.Headers.Accept.Add(Json);
        if (config.Token is { } token)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token.Value);
        }

        if (body is not null)
        {
            request.Content = new StringContent(body, Encoding.UTF8, "application/json");
        }

        return request;
    }

    private KubernetesApiException Unreachable(string verb, KubernetesApiResource resource, ResourceKey? key, Exception e) =>
        new($"kubernetes: {verb} {key?.ToString() ?? resource.Kind}: cannot reach the API server at {config.Server} ({config.Source}): {e.Message}", null, null, e);
}
