namespace Routing.Policy.Model;

/// <summary>The two directions a policy can isolate a pod in (<c>policyTypes</c>).</summary>
public enum PolicyDirection
{
    /// <summary>Traffic to the selected pods.</summary>
    Ingress,

    /// <summary>Traffic from the selected pods.</summary>
    Egress,
}
