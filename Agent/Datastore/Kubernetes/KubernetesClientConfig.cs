using System.Security.Cryptography.X509Certificates;

namespace Routing.Agent.Datastore.Kubernetes;

/// <summary>
/// How to reach and authenticate to an API server, from a kubeconfig (<see cref="Kubeconfig"/>) or
/// from inside a pod (<see cref="InClusterConfig"/>). Owns its certificates.
/// </summary>
public sealed class KubernetesClientConfig : IDisposable
{
    /// <summary>The API server, e.g. <c>https://10.96.0.1:443</c>.</summary>
    public required Uri Server { get; init; }

    /// <summary>Where this configuration came from, for messages: the kubeconfig and context, or "in-cluster".</summary>
    public string Source { get; init; } = "configuration";

    public BearerToken? Token { get; init; }

    /// <summary>The CAs the server's certificate must chain to; the system's when null.</summary>
    public X509Certificate2Collection? CertificateAuthorities { get; init; }

    /// <summary>Accept any server certificate (kubeconfig <c>insecure-skip-tls-verify</c>): for test clusters only.</summary>
    public bool InsecureSkipTlsVerify { get; init; }

    /// <summary>The name the server's certificate is checked against, when it is not the host of <see cref="Server"/>.</summary>
    public string? TlsServerName { get; init; }

    /// <summary>The client certificate, with its private key, for mutual TLS.</summary>
    public X509Certificate2? ClientCertificate { get; init; }

    /// <summary>A handler for these settings; the caller owns it.</summary>
    internal SocketsHttpHandler CreateHandler()
    {
        var handler = new SocketsHttpHandler
        {
            // Watches hold a connection each for minutes; lists and writes need their own.
            MaxConnectionsPerServer = 100,
            PooledConnectionIdleTimeout = TimeSpan.FromMinutes(1),
            ConnectTimeout = TimeSpan.FromSeconds(10),
        };
        if (Server.Scheme != Uri.UriSchemeHttps)
        {
            return handler;
        }

        var ssl = handler.SslOptions;
        if (TlsServerName is not null)
        {
            ssl.TargetHost = TlsServerName;
        }

        if (ClientCertificate is not null)
        {
            ssl.ClientCertificates = [ClientCertificate];
        }

        if (InsecureSkipTlsVerify)
        {
            // The kubeconfig asked for it (insecure-skip-tls-verify: true), as kubectl honours it.
#pragma warning disable CA5359
            ssl.RemoteCertificateValidationCallback = (_, _, _, _) => true;
#pragma warning restore CA5359
        }
        else if (CertificateAuthorities is { Count: > 0 } authorities)
        {
            // Trust exactly the kubeconfig's CAs, as kubectl does, not the system's.
            ssl.CertificateChainPolicy = new X509ChainPolicy
            {
                TrustMode = X509ChainTrustMode.CustomRootTrust,
                RevocationMode = X509RevocationMode.NoCheck,
            };
            ssl.CertificateChainPolicy.CustomTrustStore.AddRange(authorities);
        }

        return handler;
    }

    public void Dispose()
    {
        ClientCertificate?.Dispose();
        if (CertificateAuthorities is not null)
        {
            foreach (var certificate in CertificateAuthorities)
            {
                certificate.Dispose();
            }
        }
    }
}
