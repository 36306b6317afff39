using System.Text.Json.Serialization;
using IcnnLift.Data;
using IcnnLift.Targets;

namespace IcnnLift.Cli;

/// <summary>Where a run's samples come from: a known target (drawn per seed) or a CSV file (split per seed).
/// Serialisable, so that a run in a child process rebuilds the same data.</summary>
internal sealed record DataSource(string? TargetName, string? File, int TrainSize = 1000, int ValidationSize = 1000, int TestSize = 5000)
{
    private double[][]? _samples;

    [JsonIgnore]
    public string Name => TargetName ?? Path.GetFileNameWithoutExtension(File!);

    [JsonIgnore]
    public Target? Target => TargetName is null ? null : Target.Get(TargetName);

    public Dataset ForSeed(int seed)
    {
        if (Target is { } target) return Dataset.FromTarget(target, TrainSize, ValidationSize, TestSize, seed);
        _samples ??= SampleCsv.Read(File!);
        return Dataset.FromSamples(Name, _samples, seed);
    }
}
