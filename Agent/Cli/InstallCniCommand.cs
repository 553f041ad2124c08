using System.CommandLine;
using System.Security.Cryptography;

namespace Routing.Agent.Cli;

/// <summary>
/// <c>routing install-cni</c>: what the DaemonSet's init container runs to put the CNI plugin and its
/// network configuration on the host. Each file is written beside its target and renamed over it, so
/// the kubelet never runs a half-copied plugin nor reads a half-written conflist; a file already
/// there with the same content is left alone.
/// </summary>
internal static class InstallCniCommand
{
    public const string DefaultPlugin = "/usr/lib/routing/routing-cni";
    public const string DefaultConflist = "/usr/share/routing/10-routing.conflist";

    public static Command Create()
    {
        var plugin = new Option<string>("--plugin") { Description = "The routing-cni binary to install", DefaultValueFactory = _ => DefaultPlugin };
        var conflist = new Option<string>("--conflist") { Description = "The network configuration list to install", DefaultValueFactory = _ => DefaultConflist };
        var binDir = new Option<string>("--bin-dir") { Description = "The host's CNI plugin directory (mounted)", DefaultValueFactory = _ => "/host/opt/cni/bin" };
        var confDir = new Option<string>("--conf-dir") { Description = "The host's CNI configuration directory (mounted)", DefaultValueFactory = _ => "/host/etc/cni/net.d" };
        var command = new Command("install-cni", "Install routing-cni and its conflist on the host (the DaemonSet's init container)") { plugin, conflist, binDir, confDir };
        command.SetAction(async (parse, cancellationToken) =>
        {
            var output = parse.InvocationConfiguration.Output;
            var installed = new[]
            {
                await InstallAsync(parse.GetValue(plugin)!, parse.GetValue(binDir)!, "routing-cni", executable: true, cancellationToken).ConfigureAwait(false),
                await InstallAsync(parse.GetValue(conflist)!, parse.GetValue(confDir)!, Path.GetFileName(parse.GetValue(conflist)!), executable: false, cancellationToken).ConfigureAwait(false),
            };
            foreach (var line in installed)
            {
                await output.WriteLineAsync(line).ConfigureAwait(false);
            }

            return 0;
        });
        return command;
    }

    private static async Task<string> InstallAsync(string source, string directory, string name, bool executable, CancellationToken cancellationToken)
    {
        if (!File.Exists(source))
        {
            throw new CliException($"install-cni: {source} does not exist (the file to install)");
        }

        if (!Directory.Exists(directory))
        {
            throw new CliException($"install-cni: {directory} is not a directory (mount the host's directory there)");
        }

        var target = Path.Combine(directory, name);
        var content = await File.ReadAllBytesAsync(source, cancellationToken).ConfigureAwait(false);
        if (File.Exists(target) && SHA256.HashData(await File.ReadAllBytesAsync(target, cancellationToken).ConfigureAwait(false)).AsSpan().SequenceEqual(SHA256.HashData(content)))
        {
            return $"{target} unchanged";
        }

        var temporary = Path.Combine(directory, $".{name}.{Environment.ProcessId}.tmp");
        try
        {
            await File.WriteAllBytesAsync(temporary, content, cancellationToken).ConfigureAwait(false);
            File.SetUnixFileMode(temporary, executable
                ? UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute | UnixFileMode.GroupRead | UnixFileMode.GroupExecute | UnixFileMode.OtherRead | UnixFileMode.OtherExecute
                : UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead);
            File.Move(temporary, target, overwrite: true);
        }
        finally
        {
            File.Delete(temporary);
        }

        return $"{target} installed";
    }
}
