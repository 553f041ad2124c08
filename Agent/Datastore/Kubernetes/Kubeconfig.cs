using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace Routing.Agent.Datastore.Kubernetes;

/// <summary>
/// Reads a kubeconfig the way kubectl does for what the agent needs: the current context's cluster
/// (<c>server</c>, <c>certificate-authority(-data)</c>, <c>insecure-skip-tls-verify</c>,
/// <c>tls-server-name</c>) and user (<c>token</c>, <c>tokenFile</c>,
/// <c>client-certificate(-data)</c> + <c>client-key(-data)</c>). Relative file names are relative to
/// the kubeconfig. With several files (<c>$KUBECONFIG</c> is a colon-separated list), the first
/// file to set a context, cluster, user or current-context wins, as in kubectl's merge.
/// </summary>
public static class Kubeconfig
{
    /// <exception cref="KubernetesConfigException">A file cannot be read or parsed, or the current context is incomplete; the message says which and how to fix it.</exception>
    public static KubernetesClientConfig Load(params IReadOnlyList<string> paths)
    {
        ArgumentNullException.ThrowIfNull(paths);
        var files = paths.Where(p => !string.IsNullOrWhiteSpace(p)).ToList();
        if (files.Count == 0)
        {
            throw new KubernetesConfigException("no kubeconfig given");
        }

        var merged = new Merged();
        foreach (var path in files)
        {
            // kubectl skips missing files in $KUBECONFIG, but a single named file must exist.
            if (files.Count > 1 && !File.Exists(path))
            {
                continue;
            }

            merged.Add(path, Read(path));
        }

        return merged.Resolve(string.Join(':', files));
    }

    private static YamlMappingNode Read(string path)
    {
        string text;
        try
        {
            text = File.ReadAllText(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new KubernetesConfigException($"{path}: cannot read the kubeconfig: {e.Message}", e);
        }

        try
        {
            var stream = new YamlStream();
            stream.Load(new StringReader(text));
            return stream.Documents.Count == 0
                ? new YamlMappingNode()
                : stream.Documents[0].RootNode as YamlMappingNode ?? throw new KubernetesConfigException($"{path}: a kubeconfig is a YAML mapping (apiVersion: v1, kind: Config, …)");
        }
        catch (YamlException e)
        {
            throw new KubernetesConfigException($"{path}:{e.Start.Line}:{e.Start.Column}: not valid YAML: {e.InnerException?.Message ?? e.Message}", e);
        }
    }

    /// <summary>The named entries of every file, first file first.</summary>
    private sealed class Merged
    {
        private readonly Dictionary<string, Entry> clusters = new(StringComparer.Ordinal);
        private readonly Dictionary<string, Entry> users = new(StringComparer.Ordinal);
        private readonly Dictionary<string, Entry> contexts = new(StringComparer.Ordinal);
        private string? currentContext;
        private string? currentContextFile;

        public void Add(string path, YamlMappingNode root)
        {
            AddNamed(path, root, "clusters", "cluster", clusters);
            AddNamed(path, root, "users", "user", users);
            AddNamed(path, root, "contexts", "context", contexts);
            if (currentContext is null && Scalar(root, "current-context") is { Length: > 0 } name)
            {
                currentContext = name;
                currentContextFile = path;
            }
        }

        public KubernetesClientConfig Resolve(string files)
        {
            if (currentContext is null)
            {
                throw new KubernetesConfigException($"{files}: no current-context; set one with kubectl config use-context NAME");
            }

            if (!contexts.TryGetValue(currentContext, out var context))
            {
                throw new KubernetesConfigException($"{currentContextFile}: current-context '{currentContext}' is not among the contexts");
            }

            var clusterName = Scalar(context.Node, "cluster");
            if (clusterName is null || !clusters.TryGetValue(clusterName, out var cluster))
            {
                throw new KubernetesConfigException($"{context.File}: context '{currentContext}' names cluster '{clusterName}', which is not among the clusters");
            }

            Entry? user = null;
            var userName = Scalar(context.Node, "user");
            if (userName is not null && !users.TryGetValue(userName, out user))
            {
                throw new KubernetesConfigException($"{context.File}: context '{currentContext}' names user '{userName}', which is not among the users");
            }

            var source = $"kubeconfig {context.File}, context {currentContext}";
            var server = Scalar(cluster.Node, "server");
            if (server is null || !Uri.TryCreate(server, UriKind.Absolute, out var serverUri) || serverUri.Scheme is not ("https" or "http"))
            {
                throw new KubernetesConfigException($"{cluster.File}: cluster '{clusterName}' needs server: https://HOST:PORT (found {server ?? "none"})");
            }

            X509Certificate2Collection? authorities = null;
            X509Certificate2? clientCertificate = null;
            try
            {
                var caPem = Pem(cluster, "certificate-authority");
                authorities = caPem is null ? null : LoadCertificates(caPem, cluster.File, clusterName);
                clientCertificate = user is null ? null : LoadClientCertificate(user, userName!);
                return new KubernetesClientConfig
                {
                    Server = serverUri,
                    Source = source,
                    CertificateAuthorities = authorities,
                    InsecureSkipTlsVerify = Scalar(cluster.Node, "insecure-skip-tls-verify") is "true" or "True",
                    TlsServerName = Scalar(cluster.Node, "tls-server-name"),
                    ClientCertificate = clientCertificate,
                    Token = user is null ? null : Token(user, userName!),
                };
            }
            catch
            {
                clientCertificate?.Dispose();
                if (authorities is not null)
                {
                    foreach (var certificate in authorities)
                    {
                        certificate.Dispose();
                    }
                }

                throw;
            }
        }

        private static BearerToken? Token(Entry user, string name)
        {
            if (Scalar(user.Node, "token") is { Length: > 0 } token)
            {
                return BearerToken.FromValue(token);
            }

            if (Scalar(user.Node, "tokenFile") is { Length: > 0 } file)
            {
                return BearerToken.FromFile(user.Resolve(file));
            }

            if (user.Node.Children.ContainsKey("exec") || user.Node.Children.ContainsKey("auth-provider"))
            {
                throw new KubernetesConfigException(
                    $"{user.File}: user '{name}' authenticates with an exec or auth-provider plugin, which the agent does not run; give it a token, tokenFile or client certificate");
            }

            return null;
        }

        private static X509Certificate2? LoadClientCertificate(Entry user, string name)
        {
            var certificate = Pem(user, "client-certificate");
            var key = Pem(user, "client-key");
            if (certificate is null && key is null)
            {
                return null;
            }

            if (certificate is null || key is null)
            {
                throw new KubernetesConfigException($"{user.File}: user '{name}' needs both client-certificate(-data) and client-key(-data)");
            }

            try
            {
                return X509Certificate2.CreateFromPem(certificate, key);
            }
            catch (CryptographicException e)
            {
                throw new KubernetesConfigException($"{user.File}: user '{name}': the client certificate and key do not load: {e.Message}", e);
            }
        }

        private static X509Certificate2Collection LoadCertificates(string pem, string file, string cluster)
        {
            var collection = new X509Certificate2Collection();
            try
            {
                collection.ImportFromPem(pem);
            }
            catch (CryptographicException e)
            {
                throw new KubernetesConfigException($"{file}: cluster '{cluster}': certificate-authority is not PEM certificates: {e.Message}", e);
            }

            return collection.Count > 0 ? collection : throw new KubernetesConfigException($"{file}: cluster '{cluster}': certificate-authority holds no PEM certificate");
        }

        /// <summary>The PEM text of <c>FIELD-data</c> (base64) or of the file <c>FIELD</c> names.</summary>
        private static string? Pem(Entry entry, string field)
        {
            if (Scalar(entry.Node, field + "-data") is { Length: > 0 } data)
            {
                try
                {
                    return Encoding.UTF8.GetString(Convert.FromBase64String(data));
                }
                catch (FormatException e)
                {
                    throw new KubernetesConfigException($"{entry.File}: {entry.Label}: {field}-data is not base64: {e.Message}", e);
                }
            }

            if (Scalar(entry.Node, field) is not { Length: > 0 } file)
            {
                return null;
            }

            var path = entry.Resolve(file);
            try
            {
                return File.ReadAllText(path);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                throw new KubernetesConfigException($"{entry.File}: {entry.Label}: {field} {path} cannot be read: {e.Message}", e);
            }
        }

        private static void AddNamed(string path, YamlMappingNode root, string list, string field, Dictionary<string, Entry> into)
        {
            if (!root.Children.TryGetValue(list, out var node) || node is not YamlSequenceNode sequence)
            {
                return;
            }

            foreach (var item in sequence.Children.OfType<YamlMappingNode>())
            {
                // An empty entry (`user:` with nothing under it) is valid: a user without credentials.
                if (Scalar(item, "name") is { Length: > 0 } name && item.Children.TryGetValue(field, out var value))
                {
                    var mapping = value as YamlMappingNode ?? (value is YamlScalarNode { Value: null or "" } ? new YamlMappingNode() : null);
                    if (mapping is not null)
                    {
                        into.TryAdd(name, new Entry(path, $"{field} '{name}'", mapping));
                    }
                }
            }
        }
    }

    private static string? Scalar(YamlMappingNode node, string key) =>
        node.Children.TryGetValue(key, out var value) && value is YamlScalarNode { Value: { } text } ? text : null;

    /// <summary>A cluster, user or context, with the file it came from (relative paths in it are relative to that file).</summary>
    private sealed record Entry(string File, string Label, YamlMappingNode Node)
    {
        public string Resolve(string path) =>
            System.IO.Path.IsPathRooted(path) ? path : System.IO.Path.GetFullPath(System.IO.Path.Combine(System.IO.Path.GetDirectoryName(System.IO.Path.GetFullPath(File))!, path));
    }
}
