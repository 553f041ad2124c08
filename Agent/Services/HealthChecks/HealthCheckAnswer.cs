using System.Text.Json;

namespace Routing.Agent.Services.HealthChecks;

/// <summary>
/// The answer of a health-check node port, as kube-proxy writes it: 200 with the count of local
/// endpoints when there is one or more, 503 when there is none; the same JSON body either way.
/// </summary>
public static class HealthCheckAnswer
{
    public static int StatusCode(ServiceHealthCheck check)
    {
        ArgumentNullException.ThrowIfNull(check);
        return check.LocalEndpoints > 0 ? 200 : 503;
    }

    /// <summary><c>{"service":{"namespace":"shop","name":"web"},"localEndpoints":1,"serviceProxyHealthy":true}</c></summary>
    public static byte[] Body(ServiceHealthCheck check)
    {
        ArgumentNullException.ThrowIfNull(check);
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            json.WriteStartObject("service");
            json.WriteString("namespace", check.Namespace);
            json.WriteString("name", check.Name);
            json.WriteEndObject();
            json.WriteNumber("localEndpoints", check.LocalEndpoints);
            json.WriteBoolean("serviceProxyHealthy", true);
            json.WriteEndObject();
        }

        return buffer.ToArray();
    }
}
