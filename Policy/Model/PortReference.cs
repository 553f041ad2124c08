using System.Globalization;

namespace Routing.Policy.Model;

/// <summary>
/// A port as a policy names it (<c>IntOrString</c>): a number, or the name of a container port,
/// which each pod resolves for itself.
/// </summary>
public readonly record struct PortReference
{
    private PortReference(int number, string? name)
    {
        Number = number;
        Name = name;
    }

    /// <summary>The port number, when <see cref="Name"/> is null.</summary>
    public int Number { get; }

    /// <summary>The container port's name, or null for a numeric port.</summary>
    public string? Name { get; }

    public bool IsNamed => Name is not null;

    public static PortReference Numeric(int number) => new(number, null);

    public static PortReference Named(string name)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        return new PortReference(0, name);
    }

    public static implicit operator PortReference(int number) => Numeric(number);

    public static implicit operator PortReference(string name) => Named(name);

    public override string ToString() => Name ?? Number.ToString(CultureInfo.InvariantCulture);
}
