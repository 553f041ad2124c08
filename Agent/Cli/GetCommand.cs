using System.CommandLine;
using System.Text.Json;
using System.Text.Json.Nodes;
using Routing.Agent.Datastore.FileStore;
using Routing.Agent.Datastore.Store;

namespace Routing.Agent.Cli;

/// <summary><c>routing get KIND [NAME] -o table|yaml|json</c>: resources as the datastore holds them.</summary>
internal static class GetCommand
{
    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true };

    public static Command Create()
    {
        var kind = new Argument<string>("kind") { Description = "The kind: RoutingNode, BGPPeer, IPPool, IPAMBlock, … (singular or plural, any case)" };
        var name = new Argument<string?>("name") { Description = "One resource's name; all of the kind when omitted", Arity = ArgumentArity.ZeroOrOne };
        var output = new Option<string>("--output", "-o") { Description = "Output format: table, yaml or json", DefaultValueFactory = _ => "table" };
        output.AcceptOnlyFromAmong("table", "yaml", "json");
        var datastore = DatastoreOption.Create();
        var command = new Command("get", "Show resources from the datastore") { kind, name, output, datastore };
        command.SetAction(async (parse, cancellationToken) =>
        {
            var resolved = KindNames.Resolve(parse.GetValue(kind)!);
            var only = parse.GetValue(name);
            await using var store = DatastoreOption.Open(parse.GetValue(datastore));
            IReadOnlyList<StoredResource> items;
            if (only is not null)
            {
                var one = await store.GetAsync(ResourceKey.ClusterScoped(resolved, only), cancellationToken).ConfigureAwait(false)
                    ?? throw new CliException($"{resolved} '{only}' not found");
                items = [one];
            }
            else
            {
                items = (await store.ListAsync(resolved, cancellationToken).ConfigureAwait(false)).Items;
            }

            await parse.InvocationConfiguration.Output.WriteAsync(Render(items, parse.GetValue(output)!, single: only is not null)).ConfigureAwait(false);
            return 0;
        });
        return command;
    }

    internal static string Render(IReadOnlyList<StoredResource> items, string format, bool single)
    {
        switch (format)
        {
            case "yaml":
                return string.Join("---\n", items.Select(i => YamlJson.ToYaml(i.Json)));
            case "json":
                JsonNode document = single
                    ? JsonNode.Parse(items[0].Json)!
                    : new JsonObject { ["apiVersion"] = "v1", ["kind"] = "List", ["items"] = new JsonArray([.. items.Select(i => JsonNode.Parse(i.Json))]) };
                return document.ToJsonString(Indented) + "\n";
            default:
                if (items.Count == 0)
                {
                    return "No resources found.\n";
                }

                var table = new TextTable("Kind", "Name");
                foreach (var item in items)
                {
                    table.Add(item.Key.Kind, item.Key.Name);
                }

                return table.ToString();
        }
    }
}
