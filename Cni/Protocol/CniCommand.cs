namespace Routing.Cni.Protocol;

/// <summary>The operations of CNI 1.1 (<c>CNI_COMMAND</c>).</summary>
public enum CniCommand
{
    Add,
    Del,
    Check,
    Status,
    Version,
    Gc,
}
