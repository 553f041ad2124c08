using System.CommandLine;
using Routing.Agent.Dns;
using Routing.Agent.Dns.Zone;

namespace Routing.Agent.Cli;

/// <summary>The agent's cluster DNS options: <c>--dns-listen ADDRESS[:PORT]</c> turns it on.</summary>
internal sealed class DnsOptions
{
    private readonly Option<string?> listen = new("--dns-listen") { Description = "Serve cluster DNS on this address (UDP and TCP), e.g. 10.96.0.10 or 10.96.0.10:53; off when not given" };
    private readonly Option<string> domain = new("--cluster-domain") { Description = "The cluster DNS domain", DefaultValueFactory = _ => "cluster.local" };
    private readonly Option<uint> ttl = new("--dns-ttl") { Description = "TTL in seconds of cluster DNS answers", DefaultValueFactory = _ => 30 };
    private readonly Option<uint> negativeTtl = new("--dns-negative-ttl") { Description = "Seconds a resolver may remember that a cluster name or type is not there", DefaultValueFactory = _ => 30 };
    private readonly Option<string> resolvConf = new("--dns-resolv-conf") { Description = "The node's resolv.conf: its name servers answer names outside the cluster domain", DefaultValueFactory = _ => Dns.Server.ResolvConf.DefaultPath };

    public static DnsOptions AddTo(Command command)
    {
        ArgumentNullException.ThrowIfNull(command);
        var options = new DnsOptions();
        command.Options.Add(options.listen);
        command.Options.Add(options.domain);
        command.Options.Add(options.ttl);
        command.Options.Add(options.negativeTtl);
        command.Options.Add(options.resolvConf);
        options.listen.Validators.Add(result =>
        {
            if (result.GetValueOrDefault<string?>() is { } text && !DnsSettings.TryParseListen(text, out _))
            {
                result.AddError($"--dns-listen: \"{text}\" is not ADDRESS or ADDRESS:PORT ([v6]:PORT for IPv6)");
            }
        });
        options.domain.Validators.Add(result =>
        {
            try
            {
                _ = new ZoneOptions { Domain = result.GetValueOrDefault<string>() }.Normalized();
            }
            catch (ArgumentException e)
            {
                result.AddError($"--cluster-domain: {e.Message}");
            }
        });
        return options;
    }

    /// <summary>The settings, or null when cluster DNS is off.</summary>
    public DnsSettings? Read(ParseResult parse)
    {
        ArgumentNullException.ThrowIfNull(parse);
        if (parse.GetValue(listen) is not { } text || !DnsSettings.TryParseListen(text, out var endPoint))
        {
            return null;
        }

        return new DnsSettings
        {
            Listen = endPoint,
            Zone = new ZoneOptions { Domain = parse.GetValue(domain)!, Ttl = parse.GetValue(ttl), NegativeTtl = parse.GetValue(negativeTtl) },
            ResolvConf = parse.GetValue(resolvConf)!,
        };
    }
}
