using Routing.Cni.FakeAgent;

if (args.Length != 1)
{
    Console.Error.WriteLine("usage: Routing.Cni.FakeAgent SOCKET   (serves the agent's IPAM calls until stdin closes or SIGTERM)");
    return 2;
}

await using var agent = await FakeAgent.StartAsync(socketPath: args[0]);
Console.WriteLine($"listening on {agent.SocketPath}");
try
{
    // Kestrel's host takes over SIGTERM: stop on it as well as on the end of stdin.
    await Console.In.ReadToEndAsync().WaitAsync(agent.Stopping);
}
catch (OperationCanceledException)
{
}

return 0;
