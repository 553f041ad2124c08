using Routing.Agent.Datastore;
using Routing.Agent.Datastore.Kubernetes;
using Routing.Agent.Datastore.Store;
using Routing.Agent.Tests.Datastore.Kubernetes.Fake;

namespace Routing.Agent.Tests.Datastore.Kubernetes;

/// <summary>Kubeconfig files as kubectl reads them, and stores opened from them against the fake API server (HTTP and HTTPS).</summary>
public sealed class KubeconfigTests : IDisposable
{
    private static readonly ResourceKey Pool = ResourceKey.ClusterScoped("IPPool", "default-ipv4");

    private readonly string directory = Directory.CreateTempSubdirectory("routing-kubeconfig-").FullName;

    public void Dispose() => Directory.Delete(directory, recursive: true);

    private string Write(string name, string yaml)
    {
        var path = Path.Combine(directory, name);
        File.WriteAllText(path, yaml);
        return path;
    }

    private static string Config(string server, string cluster = "", string user = "", string currentContext = "test") => $"""
        apiVersion: v1
        kind: Config
        current-context: {currentContext}
        clusters:
        - name: other
          cluster:
            server: https://192.0.2.1:6443
        - name: test-cluster
          cluster:
            server: {server}
        {Indent(cluster, 4)}
        contexts:
        - name: other
          context:
            cluster: other
            user: other
        - name: test
          context:
            cluster: test-cluster
            user: test-user
        users:
        - name: other
          user:
            token: not-this-one
        - name: test-user
          user:
        {Indent(user, 4)}
        """;

    private static string Indent(string text, int spaces) =>
        string.Join('\n', text.Split('\n').Select(line => new string(' ', spaces) + line));

    private static async Task<StoredResource> RoundTripAsync(KubernetesResourceStore store)
    {
        var created = await store.CreateAsync(Pool, """{"spec":{"cidr":"10.244.0.0/16"}}""");
        Assert.Equal(created, await store.GetAsync(Pool));
        return created;
    }

    [Fact]
    public async Task A_token_user_over_HTTP_from_the_current_context_opens_through_the_datastore_URI()
    {
        await using var server = await FakeApiServer.StartAsync(FakeCluster.Token);
        CrdManifests.InstallAll(server);
        var path = Write("config", Config(server.Address.ToString(), user: $"token: {FakeCluster.Token}"));

        await using var store = KubernetesResourceStore.Open(DatastoreUri.Parse("kubernetes:" + path));

        Assert.Equal(server.Address, store.Server);
        await RoundTripAsync(store);
    }

    [Fact]
    public async Task Certificate_authority_data_verifies_the_servers_certificate()
    {
        using var certificate = TestCertificates.Server();
        await using var server = await FakeApiServer.StartAsync(FakeCluster.Token, certificate);
        CrdManifests.InstallAll(server);
        var path = Write("config", Config(
            server.Address.ToString(),
            cluster: $"certificate-authority-data: {TestCertificates.Base64(certificate.ExportCertificatePem())}",
            user: $"token: {FakeCluster.Token}"));

        await using var store = new KubernetesResourceStore(Kubeconfig.Load(path));

        Assert.Equal("https", store.Server.Scheme);
        await RoundTripAsync(store);
    }

    [Fact]
    public async Task A_server_certificate_from_another_CA_is_refused()
    {
        using var certificate = TestCertificates.Server();
        using var impostor = TestCertificates.Server("impostor");
        await using var server = await FakeApiServer.StartAsync(FakeCluster.Token, impostor);
        File.WriteAllText(Path.Combine(directory, "ca.crt"), certificate.ExportCertificatePem());
        var path = Write("config", Config(server.Address.ToString(), cluster: "certificate-authority: ca.crt", user: $"token: {FakeCluster.Token}"));

        await using var store = new KubernetesResourceStore(Kubeconfig.Load(path));
        var e = await Assert.ThrowsAsync<KubernetesApiException>(() => store.GetAsync(Pool));

        Assert.StartsWith($"kubernetes: get IPPool/default-ipv4: cannot reach the API server at {server.Address} (kubeconfig {path}, context test): ", e.Message, StringComparison.Ordinal);
        Assert.Empty(server.Requests);
    }

    [Fact]
    public async Task Insecure_skip_tls_verify_accepts_any_server_certificate()
    {
        using var certificate = TestCertificates.Server();
        await using var server = await FakeApiServer.StartAsync(FakeCluster.Token, certificate);
        CrdManifests.InstallAll(server);
        var path = Write("config", Config(server.Address.ToString(), cluster: "insecure-skip-tls-verify: true", user: $"token: {FakeCluster.Token}"));

        using var config = Kubeconfig.Load(path);
        Assert.True(config.InsecureSkipTlsVerify);
        await using var store = new KubernetesResourceStore(Kubeconfig.Load(path));

        await RoundTripAsync(store);
    }

    [Fact]
    public async Task A_client_certificate_and_key_authenticate_over_mutual_TLS()
    {
        using var certificate = TestCertificates.Server();
        await using var server = await FakeApiServer.StartAsync(token: null, certificate, requireClientCertificate: true);
        CrdManifests.InstallAll(server);
        var (clientPem, keyPem) = TestCertificates.Client("node-agent");
        File.WriteAllText(Path.Combine(directory, "client.key"), keyPem);
        var path = Write("config", Config(
            server.Address.ToString(),
            cluster: $"certificate-authority-data: {TestCertificates.Base64(certificate.ExportCertificatePem())}",
            user: $"client-certificate-data: {TestCertificates.Base64(clientPem)}\nclient-key: {Path.Combine(directory, "client.key")}"));

        await using var store = new KubernetesResourceStore(Kubeconfig.Load(path));
        await RoundTripAsync(store);

        Assert.Equal("CN=node-agent, O=system:masters", server.LastClientCertificateSubject);
    }

    [Fact]
    public void A_token_file_is_read_relative_to_the_kubeconfig()
    {
        File.WriteAllText(Path.Combine(directory, "token"), "from-file\n");
        var path = Write("config", Config("http://127.0.0.1:1", user: "tokenFile: token"));

        using var config = Kubeconfig.Load(path);

        Assert.Equal("from-file", config.Token!.Value);
        Assert.Equal(new Uri("http://127.0.0.1:1"), config.Server);
        Assert.Equal($"kubeconfig {path}, context test", config.Source);
        Assert.Null(config.CertificateAuthorities);
        Assert.False(config.InsecureSkipTlsVerify);
    }

    [Fact]
    public void Several_files_merge_with_the_first_setting_winning()
    {
        var first = Write("a", """
            current-context: test
            users:
            - name: test-user
              user:
                token: first
            """);
        var second = Write("b", Config("https://10.0.0.1:6443", user: "token: second", currentContext: "other"));

        using var config = Kubeconfig.Load(first, Path.Combine(directory, "missing"), second);

        Assert.Equal("first", config.Token!.Value);
        Assert.Equal(new Uri("https://10.0.0.1:6443"), config.Server);
    }

    [Theory]
    [InlineData("current-context: nowhere", "current-context 'nowhere' is not among the contexts")]
    [InlineData("clusters: []", "no current-context; set one with kubectl config use-context NAME")]
    [InlineData("cluster-ca", "cluster 'test-cluster': certificate-authority-data is not base64")]
    [InlineData("exec", "user 'test-user' authenticates with an exec or auth-provider plugin, which the agent does not run; give it a token, tokenFile or client certificate")]
    [InlineData("key-only", "user 'test-user' needs both client-certificate(-data) and client-key(-data)")]
    [InlineData("no-server", "cluster 'test-cluster' needs server: https://HOST:PORT (found ftp://x)")]
    [InlineData("bad-yaml", "not valid YAML")]
    public void Unusable_kubeconfigs_say_what_to_fix(string problem, string expected)
    {
        var yaml = problem switch
        {
            "cluster-ca" => Config("https://10.0.0.1", cluster: "certificate-authority-data: '%%%'").Replace("cluster-ca", "", StringComparison.Ordinal),
            "exec" => Config("https://10.0.0.1", user: "exec:\n  command: aws"),
            "key-only" => Config("https://10.0.0.1", user: "client-key-data: eA=="),
            "no-server" => Config("ftp://x"),
            "bad-yaml" => "clusters: [",
            _ => problem,
        };
        var path = Write("config", yaml);

        var e = Assert.Throws<KubernetesConfigException>(() => Kubeconfig.Load(path));

        Assert.True(e.Message.StartsWith(path + ":", StringComparison.Ordinal) && e.Message.Contains(expected, StringComparison.Ordinal), e.Message);
    }

    [Fact]
    public void A_missing_kubeconfig_is_named()
    {
        var path = Path.Combine(directory, "nope");

        var e = Assert.Throws<KubernetesConfigException>(() => KubernetesResourceStore.Open(DatastoreUri.Parse("kubernetes:" + path)));

        Assert.StartsWith($"{path}: cannot read the kubeconfig: ", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Other_datastores_are_not_opened_as_kubernetes()
    {
        Assert.Throws<NotSupportedException>(() => KubernetesResourceStore.Open(DatastoreUri.Parse("file:/x.yaml")));
    }
}
