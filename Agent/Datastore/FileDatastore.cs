using System.Security.Cryptography;
using System.Text;
using System.Threading.Channels;
using Routing.Agent.Resources;

namespace Routing.Agent.Datastore;

/// <summary>
/// The <c>file:PATH</c> datastore: a multi-document YAML file of resources, read whole and watched.
/// A change is noticed by a <see cref="FileSystemWatcher"/> on the directory (editors and
/// <c>kubectl</c>-style tools replace the file by rename, so the file itself is not watched) and,
/// as a fallback, by checking the file's time and size every <see cref="FileDatastoreOptions.PollInterval"/>
/// (and its hash too while it was written in the last few seconds, when a second write can leave
/// time and size alone). Bursts are coalesced; content that did not change (by hash) is not parsed again. A valid edit
/// replaces <see cref="Current"/> whole; an invalid one is reported and the last good set is kept.
/// </summary>
public sealed class FileDatastore : IResourceSource, IDisposable
{
    // File times tick coarsely (a few ms on Linux, seconds elsewhere); within this of a write, compare content.
    internal static readonly TimeSpan RacyWindow = TimeSpan.FromSeconds(3);

    private const int MaxSettleRounds = 10;

    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    private readonly FileDatastoreOptions options;
    private readonly string fileName;
    private readonly Channel<ResourceSet> updates =
        Channel.CreateBounded<ResourceSet>(new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropOldest, SingleWriter = true });
    private readonly Channel<bool> notifications =
        Channel.CreateBounded<bool>(new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropWrite });
    private readonly CancellationTokenSource stopping = new();
    private readonly FileSystemWatcher? watcher;
    private readonly Task watching;
    private volatile ResourceSet current;
    private volatile Exception? lastError;

    // Touched only by the watch loop once it runs.
    private FileStamp stamp;
    private byte[]? contentHash;

    private FileDatastore(string path, FileDatastoreOptions options, ResourceSet initial, FileStamp stamp, byte[] contentHash)
    {
        Path = path;
        this.options = options;
        current = initial;
        this.stamp = stamp;
        this.contentHash = contentHash;
        fileName = System.IO.Path.GetFileName(path);
        updates.Writer.TryWrite(initial);

        if (options.UseFileSystemWatcher)
        {
            watcher = new FileSystemWatcher(System.IO.Path.GetDirectoryName(path)!)
            {
                NotifyFilter = NotifyFilters.FileName | NotifyFilters.LastWrite | NotifyFilters.Size | NotifyFilters.CreationTime,
                IncludeSubdirectories = false,
            };
            watcher.Changed += OnFileEvent;
            watcher.Created += OnFileEvent;
            watcher.Deleted += OnFileEvent;
            watcher.Renamed += OnFileEvent;
            watcher.Error += (_, _) => notifications.Writer.TryWrite(true);
            watcher.EnableRaisingEvents = true;
        }

        watching = Task.Run(() => WatchAsync(stopping.Token));
    }

    /// <summary>The file's full path.</summary>
    public string Path { get; }

    string IResourceSource.Description => Path;

    /// <summary>The resources in force: the last valid content of the file.</summary>
    public ResourceSet Current => current;

    /// <summary>
    /// Why the file as it is now is not in force (a <see cref="ResourceValidationException"/> or an
    /// <see cref="IOException"/>); null when <see cref="Current"/> is what the file says.
    /// </summary>
    public Exception? LastError => lastError;

    /// <summary>
    /// Each new set in force, starting with the one read at open. Only the latest unread set is
    /// kept: a slow reader skips intermediate sets, never the newest. Completes on dispose.
    /// </summary>
    public ChannelReader<ResourceSet> Updates => updates.Reader;

    /// <summary>Raised on the watch loop when a valid edit changes the resources.</summary>
    public event EventHandler<ResourceSetChangedEventArgs>? Changed;

    /// <summary>Raised on the watch loop when an edit cannot be used (once per distinct content).</summary>
    public event EventHandler<ResourceSetRejectedEventArgs>? Rejected;

    /// <summary>Opens a <c>file:</c> datastore; other kinds have their own stores (<c>KubernetesResourceStore.Open</c>).</summary>
    /// <exception cref="NotSupportedException">The URI is not a <c>file:</c> datastore.</exception>
    public static FileDatastore Open(DatastoreUri uri, FileDatastoreOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(uri);
        return uri.Kind == DatastoreKind.File
            ? Open(uri.Path!, options)
            : throw new NotSupportedException($"'{uri}' is not a file: datastore");
    }

    /// <summary>Reads the file and starts watching it. The file must exist and be valid: the agent does not start on a broken one.</summary>
    /// <exception cref="ResourceValidationException">The file's resources are not valid; every problem is listed.</exception>
    /// <exception cref="FileNotFoundException">There is no such file.</exception>
    public static FileDatastore Open(string path, FileDatastoreOptions? options = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        path = System.IO.Path.GetFullPath(path);
        if (!File.Exists(path))
        {
            throw new FileNotFoundException($"{path}: no such resource file (create it, even empty, or fix --datastore file:PATH)", path);
        }

        var stamp = FileStamp.Of(path);
        var content = File.ReadAllBytes(path);
        var set = Parse(path, content);
        return new FileDatastore(path, options ?? FileDatastoreOptions.Default, set, stamp, SHA256.HashData(content));
    }

    private void OnFileEvent(object sender, FileSystemEventArgs e)
    {
        if (e.Name == fileName || (e is RenamedEventArgs renamed && renamed.OldName == fileName))
        {
            notifications.Writer.TryWrite(true);
        }
    }

    private async Task WatchAsync(CancellationToken cancellation)
    {
        try
        {
            while (true)
            {
                var notified = await WaitAsync(cancellation).ConfigureAwait(false);
                if (!notified)
                {
                    var now = FileStamp.Of(Path);
                    if (now == stamp && !IsRacy(now))
                    {
                        continue;
                    }
                }

                await SettleAsync(cancellation).ConfigureAwait(false);
                Check(FileStamp.Of(Path));
            }
        }
        catch (OperationCanceledException) when (cancellation.IsCancellationRequested)
        {
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            // A throwing event handler ends the watch; readers of Updates see why.
            updates.Writer.TryComplete(e);
        }
    }

    /// <summary>
    /// Waits until no change has been notified for <see cref="FileDatastoreOptions.CoalesceDelay"/>
    /// (at most ten rounds), so that an editor's save — several events — or a burst of writes is read once.
    /// </summary>
    private async Task SettleAsync(CancellationToken cancellation)
    {
        for (var round = 0; round < MaxSettleRounds; round++)
        {
            await Task.Delay(options.CoalesceDelay, options.TimeProvider, cancellation).ConfigureAwait(false);
            var more = false;
            while (notifications.Reader.TryRead(out _))
            {
                more = true;
            }

            if (!more)
            {
                return;
            }
        }
    }

    /// <summary>
    /// Whether the file was written so recently that another write within the same clock tick
    /// would leave its time and size unchanged (git's "racily clean" case): then only its hash tells.
    /// </summary>
    private bool IsRacy(FileStamp now) =>
        now.Exists && options.TimeProvider.GetUtcNow().UtcDateTime - now.LastWriteUtc < RacyWindow;

    /// <summary>Waits for a change notification (true) or the next poll (false).</summary>
    private async Task<bool> WaitAsync(CancellationToken cancellation)
    {
        using var either = CancellationTokenSource.CreateLinkedTokenSource(cancellation);
        var poll = Task.Delay(options.PollInterval, options.TimeProvider, either.Token);
        var notification = notifications.Reader.WaitToReadAsync(either.Token).AsTask();
        var first = await Task.WhenAny(poll, notification).ConfigureAwait(false);
        await either.CancelAsync().ConfigureAwait(false);
        cancellation.ThrowIfCancellationRequested();
        return first == notification && notification.IsCompletedSuccessfully && notifications.Reader.TryRead(out _);
    }

    private void Check(FileStamp now)
    {
        stamp = now;
        byte[] content;
        try
        {
            content = File.ReadAllBytes(Path);
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            if (contentHash is not null)
            {
                contentHash = null;
                Reject(new FileNotFoundException($"{Path} is gone; the last good resources stay in force until it is back", Path, e));
            }

            return;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            contentHash = null;
            Reject(e);
            return;
        }

        var hash = SHA256.HashData(content);
        if (contentHash is not null && hash.AsSpan().SequenceEqual(contentHash))
        {
            return;
        }

        contentHash = hash;
        ResourceSet next;
        try
        {
            next = Parse(Path, content);
        }
        catch (ResourceValidationException e)
        {
            Reject(e);
            return;
        }

        lastError = null;
        var previous = current;
        if (next.Equals(previous))
        {
            return; // comments, order or spacing changed; the resources did not
        }

        current = next;
        Changed?.Invoke(this, new ResourceSetChangedEventArgs(previous, next));
        updates.Writer.TryWrite(next);
    }

    private void Reject(Exception error)
    {
        lastError = error;
        Rejected?.Invoke(this, new ResourceSetRejectedEventArgs(error, current));
    }

    private static ResourceSet Parse(string path, byte[] content)
    {
        var bom = StrictUtf8.Preamble;
        var body = content.AsSpan().StartsWith(bom) ? content.AsSpan(bom.Length) : content;
        string text;
        try
        {
            text = StrictUtf8.GetString(body);
        }
        catch (DecoderFallbackException e)
        {
            throw new ResourceValidationException(
                [new ResourceError(path, null, null, null, null, $"the file is not UTF-8 text (bad byte at offset {e.Index}); save it as UTF-8")]);
        }

        return ResourceFile.Parse(text, path);
    }

    public async ValueTask DisposeAsync()
    {
        if (stopping.IsCancellationRequested)
        {
            return;
        }

        await stopping.CancelAsync().ConfigureAwait(false);
        watcher?.Dispose();
        await watching.ConfigureAwait(false);
        updates.Writer.TryComplete();
        stopping.Dispose();
    }

    public void Dispose() => DisposeAsync().AsTask().GetAwaiter().GetResult();

    /// <summary>What the poll compares: a change of either means the file must be read again.</summary>
    private readonly record struct FileStamp(bool Exists, DateTime LastWriteUtc, long Length)
    {
        public static FileStamp Of(string path)
        {
            var info = new FileInfo(path);
            return info.Exists ? new FileStamp(true, info.LastWriteTimeUtc, info.Length) : default;
        }
    }
}
