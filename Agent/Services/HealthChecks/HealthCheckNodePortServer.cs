using System.Net;
using System.Net.Sockets;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;

namespace Routing.Agent.Services.HealthChecks;

/// <summary>
/// The HTTP server of one health-check node port (Kestrel, like the agent's health listener): every
/// path answers with the service's <see cref="HealthCheckAnswer"/>. The check it answers for is
/// swapped whole as endpoints change, without restarting the listener.
/// </summary>
internal sealed class HealthCheckNodePortServer : IAsyncDisposable
{
    private readonly WebApplication app;
    private ServiceHealthCheck check;

    private HealthCheckNodePortServer(WebApplication app, ServiceHealthCheck check)
    {
        this.app = app;
        this.check = check;
    }

    public ServiceHealthCheck Check
    {
        get => Volatile.Read(ref check);
        set => Volatile.Write(ref check, value);
    }

    /// <summary>
    /// Listens on <paramref name="addresses"/> (every address of the node when empty) at the check's
    /// port; <paramref name="bind"/>, when given, makes the bound listening sockets (a test's namespace).
    /// </summary>
    public static async Task<HealthCheckNodePortServer> StartAsync(ServiceHealthCheck check, IReadOnlyList<IPAddress> addresses, Func<IPEndPoint, Socket>? bind, ILoggerFactory loggerFactory)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Services.RemoveAll<ILoggerFactory>();
        builder.Services.AddSingleton(loggerFactory);
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            if (addresses.Count == 0)
            {
                kestrel.ListenAnyIP(check.Port);
            }

            foreach (var address in addresses)
            {
                kestrel.Listen(address, check.Port);
            }
        });
        if (bind is not null)
        {
            builder.WebHost.UseSockets(sockets => sockets.CreateBoundListenSocket = endpoint => bind((IPEndPoint)endpoint));
        }

        var app = builder.Build();
        var server = new HealthCheckNodePortServer(app, check);
        app.Run(server.AnswerAsync);
        try
        {
            await app.StartAsync().ConfigureAwait(false);
        }
        catch
        {
            await app.DisposeAsync().ConfigureAwait(false);
            throw;
        }

        return server;
    }

    private Task AnswerAsync(HttpContext context)
    {
        var now = Check;
        var body = HealthCheckAnswer.Body(now);
        context.Response.StatusCode = HealthCheckAnswer.StatusCode(now);
        context.Response.ContentType = "application/json";
        context.Response.Headers["X-Content-Type-Options"] = "nosniff";
        // As kube-proxy: a load balancer that weighs nodes may send in proportion to local endpoints.
        context.Response.Headers["X-Load-Balancing-Endpoint-Weight"] = now.LocalEndpoints.ToString(System.Globalization.CultureInfo.InvariantCulture);
        context.Response.ContentLength = body.Length;
        return context.Response.Body.WriteAsync(body, context.RequestAborted).AsTask();
    }

    public async ValueTask DisposeAsync()
    {
        await app.StopAsync().ConfigureAwait(false);
        await app.DisposeAsync().ConfigureAwait(false);
    }
}
