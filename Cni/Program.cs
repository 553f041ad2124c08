using Routing.Cni.Protocol;

return CniPlugin.Run(
    Environment.GetEnvironmentVariable,
    Console.OpenStandardInput(),
    Console.OpenStandardOutput(),
    args);
