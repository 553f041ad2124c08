using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Routing.Agent.Dns.Zone;

/// <summary>Names derived from addresses: reverse names for PTR (RFC 1035 §3.5, RFC 3596 §2.5) and Kubernetes' dashed form.</summary>
public static class ReverseName
{
    /// <summary><c>5.2.244.10.in-addr.arpa</c>, or the 32 reversed nibbles under <c>ip6.arpa</c>.</summary>
    public static string For(IPAddress address)
    {
        ArgumentNullException.ThrowIfNull(address);
        var bytes = address.GetAddressBytes();
        var text = new StringBuilder(72);
        if (address.AddressFamily == AddressFamily.InterNetwork)
        {
            for (var i = bytes.Length - 1; i >= 0; i--)
            {
                text.Append(bytes[i].ToString(CultureInfo.InvariantCulture)).Append('.');
            }

            return text.Append("in-addr.arpa").ToString();
        }

        const string Hex = "0123456789abcdef";
        for (var i = bytes.Length - 1; i >= 0; i--)
        {
            text.Append(Hex[bytes[i] & 0xF]).Append('.').Append(Hex[bytes[i] >> 4]).Append('.');
        }

        return text.Append("ip6.arpa").ToString();
    }

    /// <summary>The address as one label: <c>10-244-2-5</c>, <c>fd00--5</c> (the Kubernetes DNS specification's pod and endpoint form).</summary>
    public static string Dashed(IPAddress address)
    {
        ArgumentNullException.ThrowIfNull(address);
        return address.ToString().Replace('.', '-').Replace(':', '-');
    }
}
