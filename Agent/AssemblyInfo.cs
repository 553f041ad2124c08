using System.Runtime.Versioning;

// The agent drives the Linux kernel (netlink, namespaces, iptables); it runs nowhere else.
[assembly: SupportedOSPlatform("linux")]
