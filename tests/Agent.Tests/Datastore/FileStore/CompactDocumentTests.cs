using Routing.Agent.Datastore.FileStore;
using Routing.Agent.Datastore.Store;

namespace Routing.Agent.Tests.Datastore.FileStore;

public sealed class CompactDocumentTests
{
    [Fact]
    public void A_compact_document_is_kept_as_it_is_with_the_key_it_names()
    {
        const string Document = """{"apiVersion":"routing.dev/v1","kind":"IPAMBlock","metadata":{"name":"10-0-0-0-26","labels":{"name":"x"}},"spec":{"name":"not-this","list":[1,"a,b",{"k":"v: w"}]}}""";

        Assert.True(CompactDocument.TryRead(Document, out var key));
        Assert.Equal(new ResourceKey("IPAMBlock", "", "10-0-0-0-26"), key);
        Assert.True(CompactDocument.TryRead("""{"kind":"Pod","metadata":{"namespace":"default","name":"a"}}""", out var namespaced));
        Assert.Equal(new ResourceKey("Pod", "default", "a"), namespaced);
    }

    [Theory]
    [InlineData("""{"kind": "IPAMBlock","metadata":{"name":"b"}}""")]
    [InlineData("""{"kind":"IPAMBlock","metadata":{"name":"b"}}""" + "\n")]
    [InlineData("{\n\"kind\":\"IPAMBlock\",\"metadata\":{\"name\":\"b\"}}")]
    [InlineData("""{"kind":"IPAMBlock","metadata":{}}""")]
    [InlineData("""{"metadata":{"name":"b"}}""")]
    [InlineData("""[{"kind":"IPAMBlock","metadata":{"name":"b"}}]""")]
    [InlineData("""{"kind":"IPAMBlock","metadata":{"name":"b"}}{}""")]
    [InlineData("""{"kind":"IPAMBlock","metadata":{"name":"b"}""")]
    public void Anything_else_takes_the_rewriting_path(string json) => Assert.False(CompactDocument.TryRead(json, out _));
}
