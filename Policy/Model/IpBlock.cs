namespace Routing.Policy.Model;

/// <summary>
/// <c>ipBlock</c>: addresses in <see cref="Cidr"/> but in none of <see cref="Except"/>. Kept as
/// written (strings) so validation can name a bad entry; <see cref="TryMatch"/> is for valid blocks.
/// </summary>
public sealed record IpBlock(string Cidr, IReadOnlyList<string> Except)
{
    public IpBlock(string cidr)
        : this(cidr, [])
    {
    }

    /// <summary>True when <paramref name="address"/> is in the block and outside every exception; false for an invalid block.</summary>
    public bool Matches(System.Net.IPAddress address)
    {
        if (!Model.Cidr.TryParse(Cidr, out var cidr) || !cidr.Contains(address))
        {
            return false;
        }

        foreach (var text in Except)
        {
            if (Model.Cidr.TryParse(text, out var except) && except.Contains(address))
            {
                return false;
            }
        }

        return true;
    }

    public override string ToString() => Except.Count == 0 ? Cidr : $"{Cidr} except {string.Join(", ", Except)}";
}
