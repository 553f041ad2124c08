namespace Routing.Agent.Datastore.Kubernetes;

/// <summary>One open watch response, read a line (one event) at a time.</summary>
internal sealed class WatchConnection(HttpRequestMessage request, HttpResponseMessage response, CancellationTokenSource lifetime, Stream stream) : IDisposable
{
    private readonly StreamReader reader = new(stream);

    /// <summary>
    /// The next non-empty line; null when the stream ended: the server's timeout, a dropped
    /// connection, or no word from the server for longer than the watch should last.
    /// </summary>
    public async Task<string?> ReadAsync(CancellationToken cancellationToken)
    {
        using var both = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, lifetime.Token);
        try
        {
            while (true)
            {
                var line = await reader.ReadLineAsync(both.Token).ConfigureAwait(false);
                if (line is null || line.Length > 0)
                {
                    return line;
                }
            }
        }
        catch (Exception e) when (e is IOException or HttpRequestException || (e is OperationCanceledException && !cancellationToken.IsCancellationRequested))
        {
            return null;
        }
    }

    public void Dispose()
    {
        reader.Dispose();
        response.Dispose();
        request.Dispose();
        lifetime.Dispose();
    }
}
