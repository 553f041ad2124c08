namespace Routing.Cni.Protocol;

/// <summary>
/// Error codes of the CNI specification, section "Error" (1–99 are the spec's), and this
/// plugin's own from 100 up, as the spec reserves them.
/// </summary>
public enum CniErrorCode
{
    IncompatibleVersion = 1,
    UnsupportedField = 2,
    ContainerUnknown = 3,
    InvalidEnvironment = 4,
    IoFailure = 5,
    DecodeFailure = 6,
    InvalidNetworkConfig = 7,
    TryAgainLater = 11,
    PluginNotAvailable = 50,
    PluginNotAvailableLimitedConnectivity = 51,

    /// <summary>The agent answered the IPAM call with an error (no pool, pool exhausted, address taken).</summary>
    AgentRefused = 100,

    /// <summary>The kernel refused a change to the pod's wiring (veth, address, route, sysctl).</summary>
    WiringFailed = 101,

    /// <summary>CHECK found the pod's wiring or addresses differ from what ADD made.</summary>
    CheckFailed = 102,
}
