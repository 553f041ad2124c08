using BenchmarkDotNet.Running;

// Runs the hot-path benchmarks of every project; pick with --filter, e.g. --filter '*Codec*'.
BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
