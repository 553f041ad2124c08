namespace Routing.Agent.Datastore.Kubernetes;

/// <summary>The kubeconfig or in-cluster configuration cannot be used; the message names the file and field and says what to fix.</summary>
public sealed class KubernetesConfigException : Exception
{
    public KubernetesConfigException()
    {
    }

    public KubernetesConfigException(string message)
        : base(message)
    {
    }

    public KubernetesConfigException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
