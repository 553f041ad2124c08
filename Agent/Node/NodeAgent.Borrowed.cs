using Microsoft.Extensions.Logging;
using Routing.Agent.Datastore.Store;
using Routing.Agent.Resources;
using Routing.Agent.Routes;
using Routing.Bgp.Wire;

namespace Routing.Agent.Node;

public sealed partial class NodeAgent
{
    private IReadOnlyList<Prefix> borrowed = [];

    /// <summary>Host routes for the addresses this node's workloads borrowed from other nodes' blocks (advertised, see <see cref="BorrowedAddresses"/>).</summary>
    public IReadOnlyList<Prefix> Borrowed => Volatile.Read(ref borrowed);

    // A borrowed address is an allocation in a block this node has no affinity for: the blocks are
    // read again after each change of any block (a list, then a watch of the datastore).
    private async Task FollowBorrowedAsync(CancellationToken cancellationToken)
    {
        while (!cancellationToken.IsCancellationRequested)
        {
            try
            {
                var list = await records.ListAsync(ResourceKinds.IpamBlock, cancellationToken).ConfigureAwait(false);
                await ReadBorrowedAsync(cancellationToken).ConfigureAwait(false);
                await foreach (var _ in records.WatchAsync(ResourceKinds.IpamBlock, list.Revision, cancellationToken).ConfigureAwait(false))
                {
                    await ReadBorrowedAsync(cancellationToken).ConfigureAwait(false);
                }
            }
            catch (ResourceStoreException e) when (e.Error == ResourceStoreError.Expired)
            {
                // The watch fell behind the store's history: list again.
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                Log.BlocksUnreadable(logger, e.Message);
                await Task.Delay(options.RetryDelay, cancellationToken).ConfigureAwait(false);
            }
        }
    }

    private async Task ReadBorrowedAsync(CancellationToken cancellationToken)
    {
        var now = await BorrowedAddresses.ListAsync(ipam, nodeName, cancellationToken).ConfigureAwait(false);
        if (now.SequenceEqual(Volatile.Read(ref borrowed)))
        {
            return;
        }

        Volatile.Write(ref borrowed, now);
        var list = string.Join(", ", now);
        Log.Borrowed(logger, list.Length == 0 ? "none" : list);
        Wake();
    }
}
