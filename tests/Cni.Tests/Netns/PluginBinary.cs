namespace Routing.Cni.Tests.Netns;

/// <summary>The NativeAOT plugin as a runtime runs it: <c>$ROUTING_CNI</c>, else out/bin/routing-cni (scripts/setup publishes it).</summary>
internal static class PluginBinary
{
    public static string Path { get; } = Environment.GetEnvironmentVariable("ROUTING_CNI") is { Length: > 0 } set
        ? set
        : System.IO.Path.Combine(RepositoryRoot(), "out", "bin", "routing-cni");

    public static void Require() =>
        Skip.IfNot(File.Exists(Path), $"{Path} is not published (run scripts/setup, or set ROUTING_CNI)");

    private static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(System.IO.Path.Combine(dir.FullName, "Routing.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException("Routing.sln not found above " + AppContext.BaseDirectory);
    }
}
