using System.Globalization;
using System.Net.Sockets;

namespace Routing.Policy.Compilation;

/// <summary>Names and marks the compiled ruleset uses; the defaults suit one agent per node.</summary>
public sealed record PolicyCompilerOptions
{
    /// <summary>Every chain of the ruleset starts with this (the iptables table's owned prefix).</summary>
    public string ChainPrefix { get; init; } = "rtp-";

    /// <summary>Every ipset of the ruleset starts with this (the ipset table's owned prefix).</summary>
    public string SetPrefix { get; init; } = "rtp-";

    /// <summary>
    /// The host side of every pod veth of this node starts with this (like Calico's <c>cali</c>):
    /// traffic on such an interface that no known pod owns is dropped.
    /// </summary>
    public string InterfacePrefix { get; init; } = "cali";

    /// <summary>The packet mark bit a policy chain sets to say "allowed" to the endpoint chain that called it.</summary>
    public uint AcceptMark { get; init; } = 0x10000;

    /// <summary>The packet mark bit a GlobalNetworkPolicy's Pass rule sets: the endpoint chain returns, and the profile allows.</summary>
    public uint PassMark { get; init; } = 0x20000;

    /// <summary>The address family compiled: pods' addresses and ipBlocks of the other family are left out.</summary>
    public AddressFamily Family { get; init; } = AddressFamily.InterNetwork;

    internal string Mark => "0x" + AcceptMark.ToString("x", CultureInfo.InvariantCulture);

    internal string Pass => "0x" + PassMark.ToString("x", CultureInfo.InvariantCulture);

    internal string BothMarks => "0x" + (AcceptMark | PassMark).ToString("x", CultureInfo.InvariantCulture);

    public void Validate()
    {
        if (AcceptMark == 0 || (AcceptMark & (AcceptMark - 1)) != 0)
        {
            throw new ArgumentException($"the accept mark must be a single bit, not 0x{AcceptMark:x}", nameof(AcceptMark));
        }

        if (PassMark == 0 || (PassMark & (PassMark - 1)) != 0 || PassMark == AcceptMark)
        {
            throw new ArgumentException($"the pass mark must be a single bit other than the accept mark, not 0x{PassMark:x}", nameof(PassMark));
        }

        if (string.IsNullOrEmpty(InterfacePrefix) || InterfacePrefix.Length > 10)
        {
            throw new ArgumentException($"the interface prefix \"{InterfacePrefix}\" must be 1 to 10 characters", nameof(InterfacePrefix));
        }

        if (string.IsNullOrEmpty(ChainPrefix) || ChainPrefix.Length > 6 || string.IsNullOrEmpty(SetPrefix) || SetPrefix.Length > 8)
        {
            throw new ArgumentException("chain prefixes are 1 to 6 characters and set prefixes 1 to 8, to leave room for the derived names");
        }
    }
}
