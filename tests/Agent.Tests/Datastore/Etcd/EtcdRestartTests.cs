using Routing.Agent.Datastore.Etcd;
using Routing.Agent.Datastore.Store;
using Routing.TestKit.Logging;

namespace Routing.Agent.Tests.Datastore.Etcd;

/// <summary>An etcd of its own for the tests that stop it, with frequent progress notifications.</summary>
public sealed class RestartableEtcdFixture : EtcdFixture
{
    protected override IEnumerable<string> ExtraArguments => ["--experimental-watch-progress-notify-interval", "500ms"];
}

/// <summary>Watches that outlive their etcd: stopped by PID, started again on the same data and port.</summary>
public sealed class EtcdRestartTests(RestartableEtcdFixture etcd) : IClassFixture<RestartableEtcdFixture>
{
    private static readonly EtcdStoreOptions Quick = new()
    {
        RequestTimeout = TimeSpan.FromSeconds(2),
        ConnectTimeout = TimeSpan.FromSeconds(1),
        MaxRetryDelay = TimeSpan.FromMilliseconds(300),
    };

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task A_watch_resumes_after_an_etcd_restart_without_losing_or_repeating_a_change(bool killed)
    {
        using var log = new LogCapture("store");
        await using var store = new EtcdResourceStore([etcd.Endpoint], Quick, log.CreateLogger("etcd"));
        var kind = killed ? "KilledCounter" : "StoppedCounter";
        var key = ResourceKey.ClusterScoped(kind, "c");
        var written = await store.CreateAsync(key, "0");
        var list = await store.ListAsync(kind);
        await using var watch = new WatchRecorder(store, kind, list.Revision);
        var revisions = new List<string>();

        // Half the changes right before the stop, so some are still on their way to the watch.
        for (var i = 1; i <= 10; i++)
        {
            written = await store.UpdateAsync(key, $"{i}", written.Revision);
            revisions.Add(written.Revision);
        }

        // SIGTERM, or SIGKILL at once: etcd acknowledged only what it had synced, so nothing is lost either way.
        await etcd.Etcd.StopAsync(grace: killed ? TimeSpan.Zero : null);
        await Task.Delay(500);
        await etcd.Etcd.RestartAsync();
        for (var i = 11; i <= 20; i++)
        {
            written = await WriteAsync(store, key, $"{i}", written);
            revisions.Add(written.Revision);
        }

        var seen = await watch.WaitForChangesAsync(20, TimeSpan.FromSeconds(20));
        Assert.Equal(Enumerable.Range(1, 20).Select(i => $"{i}"), seen.Select(e => e.Resource!.Json));
        Assert.Equal(revisions, seen.Select(e => e.Revision));
        await Task.Delay(300);
        Assert.Equal(20, watch.Changes.Count);
        Assert.True(log.Contains($"Watch of {kind} lost"), $"the watch never noticed the restart:\n{log.ReadLog()}");
    }

    [Fact]
    public async Task A_quiet_watch_reports_progress_as_bookmarks()
    {
        await using var store = new EtcdResourceStore([etcd.Endpoint], Quick);
        var list = await store.ListAsync("QuietPeer");
        await using var watch = new WatchRecorder(store, "QuietPeer", list.Revision);

        await store.CreateAsync(ResourceKey.ClusterScoped("NoisyPeer", "a"), "{}");

        await watch.WaitUntilAsync(() => watch.Bookmarks.Count > 0, "a bookmark", TimeSpan.FromSeconds(10));
        Assert.Empty(watch.Changes);
        Assert.True(long.Parse(watch.Bookmarks[0].Revision, System.Globalization.CultureInfo.InvariantCulture) >=
                    long.Parse(list.Revision, System.Globalization.CultureInfo.InvariantCulture));
    }

    /// <summary>Right after a restart etcd may still be electing itself; the write is retried as an agent would.</summary>
    private static async Task<StoredResource> WriteAsync(EtcdResourceStore store, ResourceKey key, string json, StoredResource current)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                return await store.UpdateAsync(key, json, current.Revision);
            }
            catch (IOException) when (attempt < 50)
            {
                await Task.Delay(100);
            }
        }
    }
}
