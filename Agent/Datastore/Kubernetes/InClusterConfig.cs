using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Routing.Agent.Datastore.Kubernetes;

/// <summary>
/// The configuration of a pod: the API server from <c>KUBERNETES_SERVICE_HOST</c> and
/// <c>KUBERNETES_SERVICE_PORT</c>, the service account's token and the cluster CA from
/// <see cref="ServiceAccountDirectory"/>, as client-go's <c>rest.InClusterConfig</c> reads them.
/// </summary>
public static class InClusterConfig
{
    public const string ServiceAccountDirectory = "/var/run/secrets/kubernetes.io/serviceaccount";

    /// <summary>Whether this process runs in a pod: the service variables are set and the token is mounted.</summary>
    public static bool IsAvailable(string directory = ServiceAccountDirectory) =>
        !string.IsNullOrEmpty(Environment.GetEnvironmentVariable("KUBERNETES_SERVICE_HOST")) &&
        !string.IsNullOrEmpty(Environment.GetEnvironmentVariable("KUBERNETES_SERVICE_PORT")) &&
        File.Exists(Path.Combine(directory, "token"));

    /// <exception cref="KubernetesConfigException">Not in a pod, or the service account files cannot be read.</exception>
    public static KubernetesClientConfig Load(string directory = ServiceAccountDirectory)
    {
        var host = Environment.GetEnvironmentVariable("KUBERNETES_SERVICE_HOST");
        var port = Environment.GetEnvironmentVariable("KUBERNETES_SERVICE_PORT");
        if (string.IsNullOrEmpty(host) || string.IsNullOrEmpty(port))
        {
            throw new KubernetesConfigException("not in a cluster: KUBERNETES_SERVICE_HOST and KUBERNETES_SERVICE_PORT are not set; use --datastore kubernetes:/path/to/kubeconfig");
        }

        // An IPv6 service address needs brackets in a URI.
        var authority = IPAddress.TryParse(host, out var address) && address.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6
            ? $"[{host}]:{port}"
            : $"{host}:{port}";
        var caPath = Path.Combine(directory, "ca.crt");
        var authorities = new X509Certificate2Collection();
        try
        {
            authorities.ImportFromPemFile(caPath);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or CryptographicException)
        {
            throw new KubernetesConfigException($"{caPath}: cannot read the cluster CA: {e.Message}", e);
        }

        return new KubernetesClientConfig
        {
            Server = new Uri($"https://{authority}"),
            Source = "in-cluster service account",
            Token = BearerToken.FromFile(Path.Combine(directory, "token")),
            CertificateAuthorities = authorities,
        };
    }
}
