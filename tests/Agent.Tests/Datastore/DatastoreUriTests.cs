using Routing.Agent.Datastore;

namespace Routing.Agent.Tests.Datastore;

/// <summary>The <c>--datastore</c> values of the public surface.</summary>
public sealed class DatastoreUriTests
{
    [Theory]
    [InlineData("file:/etc/routing/resources.yaml", "/etc/routing/resources.yaml")]
    [InlineData("file:///etc/routing/resources.yaml", "/etc/routing/resources.yaml")]
    [InlineData("file:resources.yaml", "resources.yaml")]
    [InlineData("file:/tmp/with%20space.yaml", "/tmp/with space.yaml")]
    [InlineData(" file:/x.yaml ", "/x.yaml")]
    public void File_URIs_give_the_path(string text, string path)
    {
        var uri = DatastoreUri.Parse(text);

        Assert.Equal(DatastoreKind.File, uri.Kind);
        Assert.Equal(path, uri.Path);
        Assert.Equal(DatastoreUri.File(path), uri);
    }

    [Fact]
    public void Etcd_URIs_give_the_endpoints()
    {
        var uri = DatastoreUri.Parse("etcd:http://127.0.0.1:2379,https://10.0.0.2:2379");

        Assert.Equal(DatastoreKind.Etcd, uri.Kind);
        Assert.Equal(["http://127.0.0.1:2379", "https://10.0.0.2:2379"], uri.Endpoints);
        Assert.Equal("etcd:http://127.0.0.1:2379,https://10.0.0.2:2379", uri.ToString());
    }

    [Fact]
    public void Kubernetes_is_recognised_with_or_without_a_kubeconfig()
    {
        var inCluster = DatastoreUri.Parse("kubernetes");
        var withConfig = DatastoreUri.Parse("kubernetes:/root/.kube/config");

        Assert.Equal((DatastoreKind.Kubernetes, null), (inCluster.Kind, inCluster.Path));
        Assert.Equal((DatastoreKind.Kubernetes, "/root/.kube/config"), (withConfig.Kind, withConfig.Path));
        Assert.Equal("kubernetes", inCluster.ToString());
    }

    [Fact]
    public void The_resource_file_reader_opens_file_datastores_only()
    {
        var e = Assert.Throws<NotSupportedException>(() => FileDatastore.Open(DatastoreUri.Parse("kubernetes")));

        Assert.Equal("'kubernetes' is not a file: datastore", e.Message);
    }

    [Theory]
    [InlineData("", "no datastore given; expected file:PATH (e.g. file:/etc/routing/resources.yaml), etcd:http://HOST:PORT or kubernetes")]
    [InlineData("consul:http://x:8500", "unknown datastore 'consul:http://x:8500'; expected file:PATH (e.g. file:/etc/routing/resources.yaml), etcd:http://HOST:PORT or kubernetes")]
    [InlineData("/etc/routing/resources.yaml", "'/etc/routing/resources.yaml' has no datastore type; did you mean file:/etc/routing/resources.yaml?")]
    [InlineData("file:", "file: needs a path, e.g. file:/etc/routing/resources.yaml")]
    [InlineData("file://host/x.yaml", "'file://host/x.yaml' names a host; write file:/absolute/path or file:relative/path")]
    [InlineData("etcd:", "etcd: needs an endpoint, e.g. etcd:http://127.0.0.1:2379")]
    [InlineData("etcd:127.0.0.1:2379", "'127.0.0.1:2379' in 'etcd:127.0.0.1:2379' is not an etcd endpoint; write http://HOST:PORT or https://HOST:PORT, e.g. etcd:http://127.0.0.1:2379")]
    public void Other_values_get_a_clear_error(string text, string expected)
    {
        Assert.False(DatastoreUri.TryParse(text, out var uri, out var error));
        Assert.Null(uri);
        Assert.Equal(expected, error);
        Assert.Equal(expected, Assert.Throws<FormatException>(() => DatastoreUri.Parse(text)).Message);
    }
}
