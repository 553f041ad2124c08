namespace Routing.Bgp.Rib;

/// <summary>
/// The values of a <see cref="PrefixTable{TValue}"/>, behind reference-counted handles, so that the
/// table's slots hold no object references. A million slots with references cost the collector:
/// each insert of a young value marks a card of the old slot array, and every young collection
/// scans those cards (at random places, so nearly all of them). Here the references sit in one
/// array filled mostly in order, and the routes of one UPDATE (one value) share one handle.
/// </summary>
internal sealed class PrefixValues<TValue>
    where TValue : class
{
    // Handle 0 means "no value" (a free slot).
    private TValue?[] items = new TValue?[16];
    private int[] references = new int[16];
    private int[] free = new int[16];
    private int freeCount;
    private int used = 1;
    private int last;

    public TValue Get(int handle) => items[handle]!;

    /// <summary>A handle for one more use of <paramref name="value"/>: the last one handed out when it is the same object.</summary>
    public int Hold(TValue value)
    {
        if (last != 0 && ReferenceEquals(items[last], value))
        {
            references[last]++;
            return last;
        }

        int handle;
        if (freeCount > 0)
        {
            handle = free[--freeCount];
        }
        else
        {
            if (used == items.Length)
            {
                Array.Resize(ref items, items.Length * 2);
                Array.Resize(ref references, references.Length * 2);
            }

            handle = used++;
        }

        items[handle] = value;
        references[handle] = 1;
        last = handle;
        return handle;
    }

    /// <summary>One use of <paramref name="handle"/> fewer; the value is let go with the last one.</summary>
    public void Release(int handle)
    {
        if (--references[handle] > 0)
        {
            return;
        }

        items[handle] = null;
        if (freeCount == free.Length)
        {
            Array.Resize(ref free, free.Length * 2);
        }

        free[freeCount++] = handle;
        if (last == handle)
        {
            last = 0;
        }
    }
}
