namespace Routing.Dataplane.Routes;

/// <summary>Well-known routing table ids (RT_TABLE_*).</summary>
public static class RouteTables
{
    public const uint Unspecified = 0;
    public const uint Default = 253;
    public const uint Main = 254;
    public const uint Local = 255;
}
