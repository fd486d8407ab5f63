using BenchmarkDotNet.Running;

namespace AssetServer.Benchmarks;

/// <summary>
/// Runs the groups with BenchmarkDotNet's own command line (<c>--filter '*Render*'</c>, <c>--job short</c>,
/// <c>--list flat</c>). Each class is one group whose floor is marked <c>Baseline = true</c>, so results read as ratios.
/// </summary>
public static class BenchmarkMain
{
    public static void Main(string[] args) => BenchmarkSwitcher.FromAssembly(typeof(BenchmarkMain).Assembly).Run(args);
}
