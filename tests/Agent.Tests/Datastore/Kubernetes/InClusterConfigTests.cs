using Routing.Agent.Datastore.Kubernetes;

namespace Routing.Agent.Tests.Datastore.Kubernetes;

/// <summary>
/// A pod's configuration: the service variables and the mounted service account. The only tests
/// that set <c>KUBERNETES_SERVICE_*</c>; they put back what was there.
/// </summary>
public sealed class InClusterConfigTests : IDisposable
{
    private readonly string directory = Directory.CreateTempSubdirectory("routing-serviceaccount-").FullName;
    private readonly string? host = Environment.GetEnvironmentVariable("KUBERNETES_SERVICE_HOST");
    private readonly string? port = Environment.GetEnvironmentVariable("KUBERNETES_SERVICE_PORT");

    public void Dispose()
    {
        Environment.SetEnvironmentVariable("KUBERNETES_SERVICE_HOST", host);
        Environment.SetEnvironmentVariable("KUBERNETES_SERVICE_PORT", port);
        Directory.Delete(directory, recursive: true);
    }

    [Theory]
    [InlineData("10.96.0.1", "https://10.96.0.1:443/")]
    [InlineData("fd00:10:96::1", "https://[fd00:10:96::1]:443/")]
    public void The_service_address_token_and_CA_come_from_the_pod(string serviceHost, string server)
    {
        using var ca = TestCertificates.Server("cluster-ca");
        File.WriteAllText(Path.Combine(directory, "token"), "sa-token\n");
        File.WriteAllText(Path.Combine(directory, "ca.crt"), ca.ExportCertificatePem());
        Environment.SetEnvironmentVariable("KUBERNETES_SERVICE_HOST", serviceHost);
        Environment.SetEnvironmentVariable("KUBERNETES_SERVICE_PORT", "443");

        Assert.True(InClusterConfig.IsAvailable(directory));
        using var config = InClusterConfig.Load(directory);

        Assert.Equal(new Uri(server), config.Server);
        Assert.Equal("sa-token", config.Token!.Value);
        Assert.Equal(ca.Thumbprint, Assert.Single(config.CertificateAuthorities!).Thumbprint);
        Assert.Equal("in-cluster service account", config.Source);
    }

    [Fact]
    public void Outside_a_pod_it_says_to_give_a_kubeconfig()
    {
        Environment.SetEnvironmentVariable("KUBERNETES_SERVICE_HOST", null);

        Assert.False(InClusterConfig.IsAvailable(directory));
        var e = Assert.Throws<KubernetesConfigException>(() => InClusterConfig.Load(directory));

        Assert.Equal("not in a cluster: KUBERNETES_SERVICE_HOST and KUBERNETES_SERVICE_PORT are not set; use --datastore kubernetes:/path/to/kubeconfig", e.Message);
    }
}
