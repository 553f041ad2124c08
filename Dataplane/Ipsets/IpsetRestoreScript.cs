using System.Globalization;
using System.Text;

namespace Routing.Dataplane.Ipsets;

/// <summary>
/// Renders the two halves of an <see cref="IpsetPlan"/> as input for <c>ipset restore -exist</c>
/// (-exist: adding a present member, deleting an absent one or destroying a missing set is not an
/// error, so a batch built on slightly stale knowledge still lands).
/// </summary>
public static class IpsetRestoreScript
{
    public static string RenderUpdates(IpsetPlan plan, string prefix, long maxElements)
    {
        ArgumentNullException.ThrowIfNull(plan);
        var text = new StringBuilder(64 + (plan.Updates.Sum(u => u.Kind == IpsetUpdateKind.Incremental ? u.Added.Count + u.Removed.Count : u.Set.Members.Count) * 32));
        foreach (var update in plan.Updates)
        {
            var set = update.Set;
            switch (update.Kind)
            {
                case IpsetUpdateKind.Create:
                    Create(text, set.Name, set, maxElements);
                    Add(text, set.Name, set.Members);
                    break;
                case IpsetUpdateKind.Recreate:
                    text.Append("destroy ").Append(set.Name).Append('\n');
                    Create(text, set.Name, set, maxElements);
                    Add(text, set.Name, set.Members);
                    break;
                case IpsetUpdateKind.Incremental:
                    // Additions first: between the lines of a batch the set holds old and new, never less.
                    Add(text, set.Name, update.Added);
                    foreach (var member in update.Removed)
                    {
                        text.Append("del ").Append(set.Name).Append(' ').Append(member).Append('\n');
                    }

                    break;
                case IpsetUpdateKind.Swap when set.Members.Count == 0:
                    text.Append("flush ").Append(set.Name).Append('\n');
                    break;
                case IpsetUpdateKind.Swap:
                    var temporary = IpsetNames.TemporaryFor(prefix, set.Name);
                    // A temporary left by an interrupted run may still hold members: empty it first.
                    Create(text, temporary, set, maxElements);
                    text.Append("flush ").Append(temporary).Append('\n');
                    Add(text, temporary, set.Members);
                    text.Append("swap ").Append(temporary).Append(' ').Append(set.Name).Append('\n');
                    text.Append("destroy ").Append(temporary).Append('\n');
                    break;
                default:
                    throw new InvalidOperationException($"unknown update kind {update.Kind}");
            }
        }

        return text.ToString();
    }

    public static string RenderDestroys(IpsetPlan plan)
    {
        ArgumentNullException.ThrowIfNull(plan);
        var text = new StringBuilder();
        foreach (var name in plan.Destroys)
        {
            text.Append("destroy ").Append(name).Append('\n');
        }

        return text.ToString();
    }

    private static void Create(StringBuilder text, string name, Ipset set, long maxElements) =>
        text.Append("create ").Append(name).Append(' ').Append(set.Type.KernelName())
            .Append(" family ").Append(set.FamilyName)
            .Append(" maxelem ").Append(maxElements.ToString(CultureInfo.InvariantCulture)).Append('\n');

    private static void Add(StringBuilder text, string name, IEnumerable<string> members)
    {
        foreach (var member in members)
        {
            text.Append("add ").Append(name).Append(' ').Append(member).Append('\n');
        }
    }
}
