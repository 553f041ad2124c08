using System.CommandLine;
using Routing.Agent.Datastore.FileStore;
using Routing.Agent.Datastore.Store;
using Routing.Agent.Resources;

namespace Routing.Agent.Cli;

/// <summary>
/// <c>routing apply -f FILE</c>: validates every document of a YAML file (all or nothing, each
/// problem naming its field) and writes them to the datastore, creating or replacing each one.
/// </summary>
internal static class ApplyCommand
{
    private const int Attempts = 5;

    public static Command Create()
    {
        var file = new Option<string>("--filename", "-f") { Description = "YAML file of resources ('-' for standard input)", Required = true };
        var datastore = DatastoreOption.Create();
        var command = new Command("apply", "Create or update resources in the datastore from a YAML file") { file, datastore };
        command.SetAction(async (parse, cancellationToken) =>
        {
            var path = parse.GetValue(file)!;
            var text = path == "-" ? await Console.In.ReadToEndAsync(cancellationToken).ConfigureAwait(false) : await ReadAsync(path, cancellationToken).ConfigureAwait(false);
            var documents = Validate(text, path == "-" ? "stdin" : path);
            await using var store = DatastoreOption.Open(parse.GetValue(datastore));
            foreach (var (key, json) in documents)
            {
                var outcome = await ApplyAsync(store, key, json, cancellationToken).ConfigureAwait(false);
                await parse.InvocationConfiguration.Output.WriteLineAsync($"{key.Kind.ToLowerInvariant()}/{key.Name} {outcome}").ConfigureAwait(false);
            }

            return 0;
        });
        return command;
    }

    private static async Task<string> ReadAsync(string path, CancellationToken cancellationToken)
    {
        try
        {
            return await File.ReadAllTextAsync(path, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new CliException($"cannot read {path}: {e.Message}");
        }
    }

    /// <summary>The documents as JSON, once all of them are valid.</summary>
    internal static IReadOnlyList<(ResourceKey Key, string Json)> Validate(string text, string sourceName)
    {
        if (!ResourceFile.TryParse(text, sourceName, out _, out var errors))
        {
            throw new CliException(string.Join(Environment.NewLine, errors.Select(e => e.ToString())));
        }

        var documents = ResourceDocuments.Read(text);
        return documents.Count == 0 ? throw new CliException($"{sourceName}: no resources in the file") : documents;
    }

    internal static async Task<string> ApplyAsync(IResourceStore store, ResourceKey key, string json, CancellationToken cancellationToken)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                var current = await store.GetAsync(key, cancellationToken).ConfigureAwait(false);
                if (current is null)
                {
                    await store.CreateAsync(key, json, cancellationToken).ConfigureAwait(false);
                    return "created";
                }

                var written = await store.UpdateAsync(key, json, current.Revision, cancellationToken).ConfigureAwait(false);
                return written.Revision == current.Revision ? "unchanged" : "configured";
            }
            catch (ResourceStoreException e) when (e.Error is ResourceStoreError.Conflict or ResourceStoreError.AlreadyExists or ResourceStoreError.NotFound && attempt < Attempts)
            {
                // Someone else wrote it between our read and our write: read again.
            }
            catch (ResourceStoreException e)
            {
                throw new CliException($"{key}: {e.Message}");
            }
        }
    }
}
