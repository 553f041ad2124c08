using System.Text;
using System.Text.Json;
using Routing.Cni.Protocol;
using Routing.TestKit.Processes;

namespace Routing.Cni.Tests.Protocol;

public sealed class CniPluginTests
{
    private static (int ExitCode, JsonDocument Json) Run(Dictionary<string, string> environment, string stdin = "{}")
    {
        using var output = new MemoryStream();
        var exit = CniPlugin.Run(name => environment.GetValueOrDefault(name), new MemoryStream(Encoding.UTF8.GetBytes(stdin)), output, []);
        return (exit, JsonDocument.Parse(output.ToArray()));
    }

    [Fact]
    public void Version_lists_every_supported_spec_version()
    {
        var (exit, json) = Run(new() { ["CNI_COMMAND"] = "VERSION" });
        using (json)
        {
            Assert.Equal(0, exit);
            Assert.Equal("1.1.0", json.RootElement.GetProperty("cniVersion").GetString());
            Assert.Equal(
                ["0.3.0", "0.3.1", "0.4.0", "1.0.0", "1.1.0"],
                json.RootElement.GetProperty("supportedVersions").EnumerateArray().Select(v => v.GetString()));
        }
    }

    [Fact]
    public void A_missing_command_is_error_4_naming_CNI_COMMAND()
    {
        var (exit, json) = Run([]);
        using (json)
        {
            Assert.NotEqual(0, exit);
            Assert.Equal(4, json.RootElement.GetProperty("code").GetInt32());
            Assert.Contains("CNI_COMMAND", json.RootElement.GetProperty("msg").GetString(), StringComparison.Ordinal);
        }
    }

    [SkippableFact]
    public async Task The_published_native_binary_answers_VERSION()
    {
        var binary = Path.Combine(RepositoryRoot(), "out", "bin", "routing-cni");
        Skip.IfNot(File.Exists(binary), $"{binary} is not published (run scripts/setup)");

        var result = await Command.RunAsync("env", ["CNI_COMMAND=VERSION", binary], standardInput: "{}");

        result.EnsureSuccess();
        using var json = JsonDocument.Parse(result.StandardOutput);
        Assert.Contains("1.1.0", json.RootElement.GetProperty("supportedVersions").EnumerateArray().Select(v => v.GetString()));
        // NativeAOT: a single native executable, no managed entry assembly beside it.
        Assert.False(File.Exists(Path.ChangeExtension(binary, ".dll")));
    }

    private static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Routing.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException("Routing.sln not found above " + AppContext.BaseDirectory);
    }
}
