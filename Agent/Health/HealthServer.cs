using System.Net;
using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Logging;
using Routing.Agent.Metrics;

namespace Routing.Agent.Health;

/// <summary>
/// The agent's HTTP listener (<c>--metrics 127.0.0.1:9091</c>): <c>/livez</c> and <c>/readyz</c>
/// for the kubelet's probes (200 or 503, each part listed as <c>[+]name</c> / <c>[-]name</c> with
/// its detail, as kube-apiserver lists its checks), and <c>/metrics</c> in Prometheus' text format.
/// </summary>
public sealed class HealthServer : IAsyncDisposable
{
    private const string Live = "live";
    private const string Ready = "ready";

    private readonly WebApplication app;

    private HealthServer(WebApplication app, IPEndPoint endpoint)
    {
        this.app = app;
        Endpoint = endpoint;
    }

    /// <summary>Where it listens (with the port the kernel chose, when 0 was asked for).</summary>
    public IPEndPoint Endpoint { get; }

    public static async Task<HealthServer> StartAsync(IPEndPoint endpoint, AgentHealth health, PrometheusExposition metrics, ILoggerFactory loggerFactory)
    {
        ArgumentNullException.ThrowIfNull(health);
        ArgumentNullException.ThrowIfNull(metrics);
        var builder = WebApplication.CreateSlimBuilder();
        builder.Services.RemoveAll<ILoggerFactory>();
        builder.Services.AddSingleton(loggerFactory);
        builder.WebHost.ConfigureKestrel(kestrel => kestrel.Listen(endpoint));
        builder.Services.AddHealthChecks()
            .Add(new HealthCheckRegistration(Live, _ => new PartsCheck(() => [("agent", health.Liveness())]), HealthStatus.Unhealthy, [Live]))
            .Add(new HealthCheckRegistration(Ready, _ => new PartsCheck(health.Readiness), HealthStatus.Unhealthy, [Ready]));
        var app = builder.Build();
        app.MapHealthChecks("/livez", Options(Live));
        app.MapHealthChecks("/readyz", Options(Ready));
        app.MapGet("/metrics", (HttpContext context) => Results.Text(metrics.Collect(), "text/plain; version=0.0.4; charset=utf-8"));
        await app.StartAsync().ConfigureAwait(false);
        var address = app.Urls.Select(u => new Uri(u)).First();
        return new HealthServer(app, new IPEndPoint(endpoint.Address, address.Port));
    }

    public async ValueTask DisposeAsync()
    {
        await app.StopAsync().ConfigureAwait(false);
        await app.DisposeAsync().ConfigureAwait(false);
    }

    private static HealthCheckOptions Options(string tag) => new()
    {
        Predicate = registration => registration.Tags.Contains(tag),
        ResponseWriter = (context, report) =>
        {
            var text = new StringBuilder();
            foreach (var entry in report.Entries.Values)
            {
                foreach (var (name, value) in entry.Data)
                {
                    var condition = (HealthCondition)value;
                    text.Append(condition.Ready ? "[+]" : "[-]").Append(name).Append(condition.Ready ? " ok: " : " not ready: ").Append(condition.Detail).Append('\n');
                }
            }

            text.Append(tag == Live ? "livez" : "readyz").Append(report.Status == HealthStatus.Healthy ? " check passed\n" : " check failed\n");
            context.Response.ContentType = "text/plain; charset=utf-8";
            return context.Response.WriteAsync(text.ToString());
        },
    };

    /// <summary>One health check over several parts: healthy when all are ready; each part in the data.</summary>
    private sealed class PartsCheck(Func<IReadOnlyList<(string Name, HealthCondition Condition)>> parts) : IHealthCheck
    {
        public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
        {
            var now = parts();
            var data = now.ToDictionary(p => p.Name, p => (object)p.Condition, StringComparer.Ordinal);
            return Task.FromResult(now.All(p => p.Condition.Ready)
                ? HealthCheckResult.Healthy(data: data)
                : HealthCheckResult.Unhealthy(string.Join("; ", now.Where(p => !p.Condition.Ready).Select(p => $"{p.Name}: {p.Condition.Detail}")), data: data));
        }
    }
}
