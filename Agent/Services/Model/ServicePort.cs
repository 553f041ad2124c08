namespace Routing.Agent.Services.Model;

/// <summary>
/// One entry of a Service's <c>spec.ports</c>: the port clients use on its IPs, the node port
/// (0 when none), and the target port, a number or the name of an endpoint's port.
/// </summary>
public sealed record ServicePort(string Name, ServiceProtocol Protocol, int Port, int NodePort, int TargetPortNumber, string? TargetPortName)
{
    public override string ToString() => $"{(Name.Length > 0 ? Name + " " : "")}{Port}/{Protocol.IptablesName()}";
}
