namespace Routing.Dataplane.Tests.Kit;

/// <summary>The trait every test that needs root and network namespaces carries.</summary>
public static class Categories
{
    public const string Netns = "Netns";
}
