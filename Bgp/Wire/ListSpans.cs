using System.Runtime.InteropServices;

namespace Routing.Bgp.Wire;

/// <summary>
/// The entries of a list as a span: what the codec and the peers hand over is an array or a
/// <c>List</c>, read in place, so a hot loop makes no interface call per entry (ReadyToRun has
/// no precompiled code to inline for a collection of this assembly's structs).
/// </summary>
internal static class ListSpans
{
    public static ReadOnlySpan<T> Of<T>(IReadOnlyList<T> list) => list switch
    {
        T[] array => array,
        List<T> entries => CollectionsMarshal.AsSpan(entries),
        _ => list.ToArray(),
    };
}
