namespace Routing.Dataplane.Routes;

public enum RouteChangeKind
{
    Add,
    Replace,
    Delete,
}
