using System.Collections.Concurrent;

namespace Routing.Agent.Datastore.FileStore;

/// <summary>
/// Mutual exclusion on one file store, between the threads of this process (a semaphore) and
/// between processes (an fcntl lock on <c>PATH.lock</c>, which POSIX keeps per process: hence one
/// lock file per path per process, shared by every store opened on it, and never closed).
/// </summary>
[System.Diagnostics.CodeAnalysis.SuppressMessage("Reliability", "CA1001", Justification = "One per path for the life of the process; closing the lock file would drop the process's fcntl lock.")]
internal sealed class PathLock
{
    private static readonly ConcurrentDictionary<string, PathLock> ByPath = new(StringComparer.Ordinal);
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);

    private readonly SemaphoreSlim threads = new(1, 1);
    private readonly string lockPath;
    private FileStream? lockFile;

    private PathLock(string lockPath) => this.lockPath = lockPath;

    public static PathLock For(string path) => ByPath.GetOrAdd(Path.GetFullPath(path), p => new PathLock(p + ".lock"));

    /// <summary>Only this thread, in this process; enough for reads.</summary>
    public async Task<Releaser> EnterAsync(CancellationToken cancellationToken)
    {
        await threads.WaitAsync(cancellationToken).ConfigureAwait(false);
        return new Releaser(this, crossProcess: false);
    }

    /// <summary>Only this thread, in any process; for writes.</summary>
    public async Task<Releaser> EnterExclusiveAsync(CancellationToken cancellationToken)
    {
        await threads.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            lockFile ??= new FileStream(lockPath, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.ReadWrite | FileShare.Delete);
            var deadline = DateTime.UtcNow + Patience;
            for (var attempt = 0; ; attempt++)
            {
                try
                {
                    lockFile.Lock(0, 1);
                    return new Releaser(this, crossProcess: true);
                }
                catch (IOException) when (DateTime.UtcNow < deadline)
                {
                    // Held by another process: short waits first, the holder is usually quick.
                    await Task.Delay(attempt < 10 ? 1 : 10, cancellationToken).ConfigureAwait(false);
                }
                catch (IOException e)
                {
                    throw new IOException($"{lockPath}: held by another process for more than {Patience.TotalSeconds:0} s", e);
                }
            }
        }
        catch
        {
            threads.Release();
            throw;
        }
    }

    public readonly struct Releaser(PathLock owner, bool crossProcess) : IDisposable
    {
        public void Dispose()
        {
            if (crossProcess)
            {
                owner.lockFile!.Unlock(0, 1);
            }

            owner.threads.Release();
        }
    }
}
