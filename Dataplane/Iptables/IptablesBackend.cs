namespace Routing.Dataplane.Iptables;

/// <summary>
/// Which kernel interface the iptables tools drive. Both can hold rules at once, and packets go
/// through both, so the agent must write where the rest of the system (kube-proxy, the
/// distribution's firewall) writes: see <see cref="IptablesBackendDetector"/>.
/// </summary>
public enum IptablesBackend
{
    /// <summary>nf_tables through the iptables-nft compatibility tools (Debian 11+ default).</summary>
    Nft,

    /// <summary>The x_tables kernel interface (iptables-legacy).</summary>
    Legacy,
}
