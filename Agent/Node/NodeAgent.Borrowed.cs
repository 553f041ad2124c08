using Microsoft.Extensions.Logging;
using Routing.Agent.Datastore.Store;
using Routing.Agent.Resources;
using Routing.Agent.Routes;
using Routing.Bgp.Wire;
using Routing.Ipam.Blocks;
using Routing.Ipam.Serialization;

namespace Routing.Agent.Node;

public sealed partial class NodeAgent
{
    private IReadOnlyList<Prefix> borrowed = [];

    /// <summary>Host routes for the addresses this node's workloads borrowed from other nodes' blocks (advertised, see <see cref="BorrowedAddresses"/>).</summary>
    public IReadOnlyList<Prefix> Borrowed => Volatile.Read(ref borrowed);

    // A borrowed address is an allocation in a block this node has no affinity for. The blocks come
    // from a list, then a watch of the datastore: each change decodes only the block it carries
    // (every allocation anywhere changes a block), and a deletion without a body lists again.
    private async Task FollowBorrowedAsync(CancellationToken cancellationToken)
    {
        while (!cancellationToken.IsCancellationRequested)
        {
            try
            {
                var list = await records.ListAsync(ResourceKinds.IpamBlock, cancellationToken).ConfigureAwait(false);
                var byBlock = list.Items.ToDictionary(b => b.Key.Name, BorrowedFrom, StringComparer.Ordinal);
                var podsByBlock = list.Items.ToDictionary(b => b.Key.Name, PodsIn, StringComparer.Ordinal);
                PublishBorrowed(byBlock);
                PublishPods(podsByBlock);
                await foreach (var change in records.WatchAsync(ResourceKinds.IpamBlock, list.Revision, cancellationToken).ConfigureAwait(false))
                {
                    if (change.Type == ResourceEventType.Bookmark)
                    {
                        continue;
                    }

                    if (change.Resource is not { } block)
                    {
                        break;
                    }

                    if (change.Type == ResourceEventType.Deleted)
                    {
                        byBlock.Remove(block.Key.Name);
                        podsByBlock.Remove(block.Key.Name);
                    }
                    else
                    {
                        byBlock[block.Key.Name] = BorrowedFrom(block);
                        podsByBlock[block.Key.Name] = PodsIn(block);
                    }

                    PublishBorrowed(byBlock);
                    PublishPods(podsByBlock);
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

    private IReadOnlyList<Prefix> BorrowedFrom(StoredResource block) =>
        BorrowedAddresses.From([IpamDocuments.Deserialize<AllocationBlock>(block.Json)], nodeName);

    private void PublishBorrowed(Dictionary<string, IReadOnlyList<Prefix>> byBlock)
    {
        IReadOnlyList<Prefix> now = [.. byBlock.Values.SelectMany(p => p).Order()];
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
