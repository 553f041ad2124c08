using Routing.Dataplane.Routes;

namespace Routing.Dataplane.Tests.Routes;

/// <summary>A table's <see cref="RouteTable.RunAsync"/> loop for the length of a test: stopped and awaited on dispose.</summary>
internal sealed class RunningTable : IAsyncDisposable
{
    private readonly CancellationTokenSource stop = new();
    private readonly Task loop;

    public RunningTable(RouteTable table) => loop = Task.Run(() => table.RunAsync(stop.Token));

    public async ValueTask DisposeAsync()
    {
        await stop.CancelAsync();
        await loop;
        stop.Dispose();
    }
}
