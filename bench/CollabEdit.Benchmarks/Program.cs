using BenchmarkDotNet.Running;

BenchmarkSwitcher.FromAssembly(typeof(CollabEdit.Benchmarks.TraceReplayBenchmarks).Assembly).Run(args);
