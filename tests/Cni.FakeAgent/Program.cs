using Routing.Cni.FakeAgent;

if (args.Length != 1)
{
    Console.Error.WriteLine("usage: Routing.Cni.FakeAgent SOCKET   (serves the agent's IPAM calls until stdin closes)");
    return 2;
}

await using var agent = await FakeAgent.StartAsync(socketPath: args[0]);
Console.WriteLine($"listening on {agent.SocketPath}");
await Console.In.ReadToEndAsync();
return 0;
