using System.Globalization;
using System.Text.RegularExpressions;
using Routing.Dataplane.Commands;
using Routing.Dataplane.Iptables;
using Routing.TestKit.Namespaces;

namespace Routing.Dataplane.Tests.Iptables;

/// <summary>A namespace of the test's own with an <see cref="IptablesTable"/> pointed into it.</summary>
public sealed partial class IptablesInNamespace : IAsyncDisposable
{
    private IptablesInNamespace(NetNs ns, IptablesBackend backend)
    {
        Ns = ns;
        Backend = backend;
        Runner = new ProcessCommandRunner(ns.Name);
    }

    public NetNs Ns { get; }

    public IptablesBackend Backend { get; }

    public ProcessCommandRunner Runner { get; }

    private string Tool => Backend == IptablesBackend.Nft ? "iptables-nft" : "iptables-legacy";

    /// <summary>Skips the test when this backend's tools are not installed.</summary>
    public static async Task<IptablesInNamespace> CreateAsync(IptablesBackend backend, string label = "ipt")
    {
        var tool = backend == IptablesBackend.Nft ? "iptables-nft-restore" : "iptables-legacy-restore";
        Skip.IfNot(File.Exists($"/usr/sbin/{tool}") || File.Exists($"/sbin/{tool}"), $"{tool} is not installed");
        return new IptablesInNamespace(await NetNs.CreateAsync(label), backend);
    }

    public IptablesTable NewTable(string table = "filter", TimeSpan? refresh = null) =>
        new(new IptablesTableOptions { Table = table, Backend = Backend, RefreshInterval = refresh }, Runner);

    /// <summary>Runs this backend's <c>iptables</c> in the namespace, as another tool would.</summary>
    public Task<string> IptablesAsync(params string[] arguments) => Ns.OutputOfAsync(Tool, arguments);

    /// <summary>The table as iptables-save prints it, without its dated comment lines.</summary>
    public async Task<string> SaveAsync(string table = "filter", bool counters = false)
    {
        string[] args = counters ? ["-c", "-t", table] : ["-t", table];
        var text = await Ns.OutputOfAsync($"{Tool}-save", args);
        return string.Join('\n', text.Split('\n').Where(l => !l.StartsWith('#')));
    }

    /// <summary>The rules of <paramref name="chain"/> in order, as iptables-save prints them after "-A CHAIN ".</summary>
    public async Task<List<string>> RulesAsync(string chain, string table = "filter") =>
        (await SaveAsync(table)).Split('\n')
            .Where(l => l.StartsWith($"-A {chain} ", StringComparison.Ordinal))
            .Select(l => l[$"-A {chain} ".Length..])
            .ToList();

    /// <summary>The packet counter of each rule of <paramref name="chain"/>.</summary>
    public async Task<List<long>> PacketCountsAsync(string chain, string table = "filter") =>
        (await SaveAsync(table, counters: true)).Split('\n')
            .Select(l => CountedRule().Match(l))
            .Where(m => m.Success && m.Groups[2].Value == chain)
            .Select(m => long.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture))
            .ToList();

    public ValueTask DisposeAsync() => Ns.DisposeAsync();

    [GeneratedRegex(@"^\[(\d+):\d+\] -A (\S+) ")]
    private static partial Regex CountedRule();
}
