using System.Threading.Channels;
using Routing.Agent.Datastore;
using Routing.Agent.Resources;

namespace Routing.Agent.Tests.Datastore;

/// <summary>The <c>file:</c> datastore, on real files in a temporary directory.</summary>
public sealed class FileDatastoreTests : IDisposable
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(5);

    private readonly string directory = Directory.CreateTempSubdirectory("routing-filestore-").FullName;

    private string FilePath => Path.Combine(directory, "resources.yaml");

    public void Dispose() => Directory.Delete(directory, recursive: true);

    private static string Peer(string name, string peerIP, uint asNumber) => $"""
        apiVersion: routing.dev/v1
        kind: BGPPeer
        metadata:
          name: {name}
        spec:
          peerIP: {peerIP}
          asNumber: {asNumber}

        """;

    private static string Node(string name) => $"""
        apiVersion: routing.dev/v1
        kind: RoutingNode
        metadata:
          name: {name}
        spec:
          ipv4Address: 10.0.0.1/24

        """;

    /// <summary>Writes the file the way editors do: a new file renamed over the old one.</summary>
    private void ReplaceByRename(string content)
    {
        var temporary = Path.Combine(directory, ".resources.yaml.swp");
        File.WriteAllText(temporary, content);
        File.Move(temporary, FilePath, overwrite: true);
    }

    private static async Task<ResourceSet> NextAsync(ChannelReader<ResourceSet> updates)
    {
        using var timeout = new CancellationTokenSource(Patience);
        return await updates.ReadAsync(timeout.Token);
    }

    [Fact]
    public async Task Opening_reads_the_file_and_offers_it_as_the_first_update()
    {
        File.WriteAllText(FilePath, Peer("tor", "192.0.2.1", 65000));

        await using var store = FileDatastore.Open(FilePath);

        Assert.Equal("tor", Assert.Single(store.Current.BgpPeers).Name);
        Assert.Same(store.Current, await NextAsync(store.Updates));
        Assert.Null(store.LastError);
        Assert.Equal(FilePath, store.Path);
    }

    [Fact]
    public async Task Opening_by_URI_works_for_file_URIs()
    {
        File.WriteAllText(FilePath, Node("n1"));

        await using var store = FileDatastore.Open(DatastoreUri.Parse("file:" + FilePath));

        Assert.Equal("n1", Assert.Single(store.Current.Nodes).Name);
    }

    [Fact]
    public void Opening_a_missing_or_invalid_file_fails_with_the_reason()
    {
        var missing = Assert.Throws<FileNotFoundException>(() => FileDatastore.Open(FilePath));
        Assert.Contains("no such resource file", missing.Message, StringComparison.Ordinal);

        File.WriteAllText(FilePath, Peer("tor", "192.0.2.1", 0));
        var invalid = Assert.Throws<ResourceValidationException>(() => FileDatastore.Open(FilePath));
        Assert.Equal($"{FilePath}: document 1 (BGPPeer tor): spec.asNumber: 0 is not an AS number (0 < AS ≤ 4294967295)", invalid.Message);
    }

    [Fact]
    public async Task An_edit_in_place_is_picked_up()
    {
        File.WriteAllText(FilePath, Peer("tor", "192.0.2.1", 65000));
        await using var store = FileDatastore.Open(FilePath);
        await NextAsync(store.Updates);
        var changed = new List<ResourceSetChangedEventArgs>();
        store.Changed += (_, e) => changed.Add(e);

        File.WriteAllText(FilePath, Peer("tor", "192.0.2.1", 65001));
        var next = await NextAsync(store.Updates);

        Assert.Equal(65001u, Assert.Single(next.BgpPeers).AsNumber);
        Assert.Same(next, store.Current);
        var e = Assert.Single(changed);
        Assert.Equal(65000u, e.Previous.BgpPeers[0].AsNumber);
        Assert.Same(next, e.Current);
    }

    [Fact]
    public async Task A_replacement_by_rename_is_picked_up()
    {
        File.WriteAllText(FilePath, Peer("tor", "192.0.2.1", 65000));
        await using var store = FileDatastore.Open(FilePath);
        await NextAsync(store.Updates);

        ReplaceByRename(Peer("tor", "192.0.2.1", 65000) + "---\n" + Node("n1"));
        var next = await NextAsync(store.Updates);

        Assert.Equal("n1", Assert.Single(next.Nodes).Name);
        Assert.Equal(store.Current, next);
    }

    [Fact]
    public async Task Polling_alone_picks_up_an_edit()
    {
        File.WriteAllText(FilePath, Peer("tor", "192.0.2.1", 65000));
        await using var store = FileDatastore.Open(FilePath, new FileDatastoreOptions { UseFileSystemWatcher = false });
        await NextAsync(store.Updates);

        ReplaceByRename(Peer("tor", "192.0.2.2", 65000));
        var next = await NextAsync(store.Updates);

        Assert.Equal("192.0.2.2", next.BgpPeers[0].PeerIP.ToString());
    }

    [Fact]
    public async Task A_broken_edit_is_reported_and_the_last_good_set_kept()
    {
        File.WriteAllText(FilePath, Peer("tor", "192.0.2.1", 65000));
        await using var store = FileDatastore.Open(FilePath);
        var good = await NextAsync(store.Updates);
        var rejected = Channel.CreateUnbounded<ResourceSetRejectedEventArgs>();
        store.Rejected += (_, e) => rejected.Writer.TryWrite(e);

        ReplaceByRename(Peer("tor", "192.0.2.1", 65000) + "  holdTime: 2s\n");
        using var timeout = new CancellationTokenSource(Patience);
        var report = await rejected.Reader.ReadAsync(timeout.Token);

        var error = Assert.IsType<ResourceValidationException>(report.Error);
        Assert.Equal("spec.holdTime", Assert.Single(error.Errors).Field);
        Assert.Same(good, report.Kept);
        Assert.Same(good, store.Current);
        Assert.Same(error, store.LastError);
        Assert.False(store.Updates.TryRead(out _));

        // Fixing the file brings the new set in and clears the error.
        ReplaceByRename(Peer("tor", "192.0.2.1", 65000) + "  holdTime: 3s\n");
        var fixedSet = await NextAsync(store.Updates);
        Assert.Equal(TimeSpan.FromSeconds(3), fixedSet.BgpPeers[0].HoldTime);
        Assert.Null(store.LastError);
    }

    [Fact]
    public async Task A_broken_edit_is_reported_once_however_long_it_stays()
    {
        File.WriteAllText(FilePath, Node("n1"));
        await using var store = FileDatastore.Open(FilePath);
        var reports = 0;
        store.Rejected += (_, _) => Interlocked.Increment(ref reports);

        File.WriteAllText(FilePath, "kind: [unclosed\n");
        await Until(() => Volatile.Read(ref reports) > 0);
        await Task.Delay(TimeSpan.FromSeconds(1.5)); // past a poll or two

        Assert.Equal(1, Volatile.Read(ref reports));
        Assert.Contains("YAML syntax error", store.LastError!.Message, StringComparison.Ordinal);
        Assert.Equal("n1", Assert.Single(store.Current.Nodes).Name);
    }

    [Fact]
    public async Task A_burst_of_writes_is_read_once()
    {
        File.WriteAllText(FilePath, Node("n0"));
        await using var store = FileDatastore.Open(FilePath, new FileDatastoreOptions { CoalesceDelay = TimeSpan.FromMilliseconds(300) });
        await NextAsync(store.Updates);
        var changes = new List<string>();
        store.Changed += (_, e) => changes.Add(e.Current.Nodes[0].Name);

        for (var i = 1; i <= 5; i++)
        {
            File.WriteAllText(FilePath, Node($"n{i}"));
        }

        var last = await NextAsync(store.Updates);
        Assert.Equal("n5", last.Nodes[0].Name);
        await Task.Delay(TimeSpan.FromSeconds(1.5));
        Assert.Equal(["n5"], changes);
    }

    [Fact]
    public async Task A_change_that_leaves_the_resources_the_same_raises_nothing()
    {
        File.WriteAllText(FilePath, Node("n1"));
        await using var store = FileDatastore.Open(FilePath);
        var before = await NextAsync(store.Updates);
        var events = 0;
        store.Changed += (_, _) => events++;
        store.Rejected += (_, _) => events++;

        ReplaceByRename("# a comment only\n" + Node("n1"));
        await Task.Delay(TimeSpan.FromSeconds(1.5));

        Assert.Equal(0, events);
        Assert.Same(before, store.Current);
        Assert.False(store.Updates.TryRead(out _));
    }

    [Fact]
    public async Task A_deleted_file_keeps_the_last_good_set_until_it_is_back()
    {
        File.WriteAllText(FilePath, Node("n1"));
        await using var store = FileDatastore.Open(FilePath);
        var good = await NextAsync(store.Updates);
        var rejected = Channel.CreateUnbounded<ResourceSetRejectedEventArgs>();
        store.Rejected += (_, e) => rejected.Writer.TryWrite(e);

        File.Delete(FilePath);
        using var timeout = new CancellationTokenSource(Patience);
        var report = await rejected.Reader.ReadAsync(timeout.Token);

        Assert.IsType<FileNotFoundException>(report.Error);
        Assert.Contains("is gone", report.Error.Message, StringComparison.Ordinal);
        Assert.Same(good, store.Current);

        File.WriteAllText(FilePath, Node("n2"));
        Assert.Equal("n2", (await NextAsync(store.Updates)).Nodes[0].Name);
        Assert.Null(store.LastError);
    }

    [Fact]
    public async Task Disposing_completes_the_updates()
    {
        File.WriteAllText(FilePath, Node("n1"));
        var store = FileDatastore.Open(FilePath);
        await NextAsync(store.Updates);

        await store.DisposeAsync();

        Assert.True(store.Updates.Completion.IsCompleted);
        await store.DisposeAsync(); // twice is harmless
    }

    private static async Task Until(Func<bool> condition)
    {
        var deadline = DateTime.UtcNow + Patience;
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < deadline, "timed out");
            await Task.Delay(20);
        }
    }
}
