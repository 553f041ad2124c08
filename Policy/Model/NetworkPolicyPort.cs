using System.Globalization;

namespace Routing.Policy.Model;

/// <summary>
/// One <c>ports</c> entry: a protocol (TCP when omitted) and optionally a port, numeric or named,
/// and for a numeric port an <c>endPort</c> that makes it the range Port..EndPort.
/// No port means every port of the protocol.
/// </summary>
public sealed record NetworkPolicyPort(PolicyProtocol Protocol = PolicyProtocol.Tcp, PortReference? Port = null, int? EndPort = null)
{
    public override string ToString()
    {
        var port = Port is { } p ? EndPort is { } end ? $"{p}-{end.ToString(CultureInfo.InvariantCulture)}" : p.ToString() : "*";
        return $"{port}/{Protocol.Name()}";
    }
}
