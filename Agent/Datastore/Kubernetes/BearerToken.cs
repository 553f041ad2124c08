namespace Routing.Agent.Datastore.Kubernetes;

/// <summary>
/// The bearer token sent with every request: a fixed string (kubeconfig <c>token</c>) or a file
/// read again every minute (the in-cluster service account token, kubeconfig <c>tokenFile</c>):
/// the kubelet rotates projected tokens, which expire within hours.
/// </summary>
public sealed class BearerToken
{
    private static readonly TimeSpan RereadInterval = TimeSpan.FromMinutes(1);

    private readonly string? path;
    private readonly TimeProvider time;
    private readonly Lock gate = new();
    private string value;
    private long readAt;

    private BearerToken(string value, string? path, TimeProvider time)
    {
        this.value = value;
        this.path = path;
        this.time = time;
        readAt = time.GetTimestamp();
    }

    public static BearerToken FromValue(string token)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(token);
        return new(token.Trim(), null, TimeProvider.System);
    }

    /// <exception cref="KubernetesConfigException">The file cannot be read or is empty.</exception>
    public static BearerToken FromFile(string path, TimeProvider? time = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        return new(Read(path), path, time ?? TimeProvider.System);
    }

    /// <summary>The token to send now.</summary>
    public string Value
    {
        get
        {
            if (path is null)
            {
                return value;
            }

            lock (gate)
            {
                if (time.GetElapsedTime(readAt) >= RereadInterval)
                {
                    // A failed re-read keeps the old token: the server says whether it still works.
                    try
                    {
                        value = Read(path);
                    }
                    catch (KubernetesConfigException)
                    {
                    }

                    readAt = time.GetTimestamp();
                }

                return value;
            }
        }
    }

    private static string Read(string path)
    {
        string text;
        try
        {
            text = File.ReadAllText(path).Trim();
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new KubernetesConfigException($"{path}: cannot read the bearer token: {e.Message}", e);
        }

        return text.Length > 0 ? text : throw new KubernetesConfigException($"{path}: the bearer token file is empty");
    }
}
