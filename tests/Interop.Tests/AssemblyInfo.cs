// The interop tests mostly wait on real daemons' timers, not on the CPU: run more test classes at
// once than there are cores (xUnit's default), so that one class's hold timer does not hold up the rest.
[assembly: CollectionBehavior(MaxParallelThreads = 4)]
