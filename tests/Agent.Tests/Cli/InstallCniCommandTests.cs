using Routing.TestKit;

namespace Routing.Agent.Tests.Cli;

/// <summary><c>routing install-cni</c>, as the DaemonSet's init container runs it on every start.</summary>
public sealed class InstallCniCommandTests
{
    [Fact]
    public async Task Installs_the_plugin_executable_and_the_conflist_then_leaves_them_when_unchanged()
    {
        var (plugin, conflist, bin, net) = await SetUpAsync();

        var (exit, output) = await Cli.RunAsync("install-cni", "--plugin", plugin, "--conflist", conflist, "--bin-dir", bin, "--conf-dir", net);

        Assert.Equal(0, exit);
        Assert.Contains($"{bin}/routing-cni installed", output, StringComparison.Ordinal);
        Assert.Contains($"{net}/10-routing.conflist installed", output, StringComparison.Ordinal);
        Assert.Equal("plugin v1", await File.ReadAllTextAsync(Path.Combine(bin, "routing-cni")));
        Assert.True(File.GetUnixFileMode(Path.Combine(bin, "routing-cni")).HasFlag(UnixFileMode.OtherExecute));
        Assert.False(File.GetUnixFileMode(Path.Combine(net, "10-routing.conflist")).HasFlag(UnixFileMode.UserExecute));
        Assert.Equal(["10-routing.conflist"], Directory.GetFiles(net).Select(Path.GetFileName));

        (exit, output) = await Cli.RunAsync("install-cni", "--plugin", plugin, "--conflist", conflist, "--bin-dir", bin, "--conf-dir", net);
        Assert.Equal(0, exit);
        Assert.Contains($"{bin}/routing-cni unchanged", output, StringComparison.Ordinal);

        // A new image's plugin replaces the old one.
        await File.WriteAllTextAsync(plugin, "plugin v2");
        (_, output) = await Cli.RunAsync("install-cni", "--plugin", plugin, "--conflist", conflist, "--bin-dir", bin, "--conf-dir", net);
        Assert.Contains($"{bin}/routing-cni installed", output, StringComparison.Ordinal);
        Assert.Equal("plugin v2", await File.ReadAllTextAsync(Path.Combine(bin, "routing-cni")));
        Assert.Equal(["routing-cni"], Directory.GetFiles(bin).Select(Path.GetFileName));
    }

    [Fact]
    public async Task A_missing_host_directory_is_named_and_nothing_is_written()
    {
        var (plugin, conflist, bin, _) = await SetUpAsync();

        var (exit, output) = await Cli.RunAsync("install-cni", "--plugin", plugin, "--conflist", conflist, "--bin-dir", bin, "--conf-dir", "/nonexistent/net.d");

        Assert.Equal(1, exit);
        Assert.Contains("/nonexistent/net.d is not a directory", output, StringComparison.Ordinal);
    }

    private static async Task<(string Plugin, string Conflist, string Bin, string Net)> SetUpAsync()
    {
        var dir = TestRun.NewDirectory("install-cni");
        var plugin = Path.Combine(dir, "routing-cni");
        var conflist = Path.Combine(dir, "10-routing.conflist");
        await File.WriteAllTextAsync(plugin, "plugin v1");
        await File.WriteAllTextAsync(conflist, "{\"cniVersion\":\"1.1.0\"}");
        var bin = Directory.CreateDirectory(Path.Combine(dir, "host-bin")).FullName;
        var net = Directory.CreateDirectory(Path.Combine(dir, "host-net")).FullName;
        return (plugin, conflist, bin, net);
    }
}
