namespace Routing.Policy.Compilation;

/// <summary>The kinds of ipset the compiler asks for.</summary>
public enum CompiledSetType
{
    /// <summary>hash:ip — the addresses of the pods a selector peer means.</summary>
    Addresses,

    /// <summary>hash:net — a list of CIDRs (an ipBlock's exceptions).</summary>
    Networks,

    /// <summary>hash:ip,port — ADDRESS,PROTO:PORT of every pod that declares a named port.</summary>
    AddressPorts,

    /// <summary>hash:net,iface — ADDRESS,VETH of the local pods: a pod's traffic is what carries its address through its interface.</summary>
    Interfaces,
}
