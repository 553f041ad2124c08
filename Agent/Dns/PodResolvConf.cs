namespace Routing.Agent.Dns;

/// <summary>
/// A pod's resolv.conf for cluster DNS: the node's cluster DNS address, and the usual search path
/// (<c>&lt;ns&gt;.svc.&lt;domain&gt; svc.&lt;domain&gt; &lt;domain&gt;</c>) with ndots:5, as the kubelet
/// writes it. For a pod that is a network namespace, it goes where <c>ip netns exec</c> bind-mounts
/// it over /etc/resolv.conf: <c>/etc/netns/&lt;namespace&gt;/resolv.conf</c> (ip-netns(8)).
/// </summary>
public static class PodResolvConf
{
    public static string Text(string podNamespace, string nameServer, string domain = "cluster.local") =>
        $"search {podNamespace}.svc.{domain} svc.{domain} {domain}\nnameserver {nameServer}\noptions ndots:5\n";

    public static string PathFor(string networkNamespace) => $"/etc/netns/{networkNamespace}/resolv.conf";

    public static void Write(string networkNamespace, string text)
    {
        var path = PathFor(networkNamespace);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, text);
    }

    /// <summary>Removes the namespace's directory under /etc/netns, if this wrote one.</summary>
    public static void Remove(string networkNamespace)
    {
        var path = PathFor(networkNamespace);
        if (File.Exists(path))
        {
            File.Delete(path);
            var directory = Path.GetDirectoryName(path)!;
            if (!Directory.EnumerateFileSystemEntries(directory).Any())
            {
                Directory.Delete(directory);
            }
        }
    }
}
