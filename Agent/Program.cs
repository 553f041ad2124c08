using Routing.Agent.Cli;

return RoutingCommand.Create().Parse(args).Invoke();
