using System.Text.Json.Serialization;
using IcnnLift.Data;
using IcnnLift.Targets;

namespace IcnnLift.Studies;

/// <summary>Where a run's samples come from: a known target (drawn per seed), a CSV file (split per seed), or
/// a UCI set in its original files (the standard split, the same for every seed). Serialisable, so that a run
/// in a child process rebuilds the same data.</summary>
public sealed record DataSource(string? TargetName, string? File, int TrainSize = 1000, int ValidationSize = 1000, int TestSize = 5000,
    string? Uci = null, string? UciFolder = null)
{
    private double[][]? _samples;
    private Dataset? _uci;

    [JsonIgnore]
    public string Name => TargetName ?? Uci ?? Path.GetFileNameWithoutExtension(File!);

    [JsonIgnore]
    public Target? Target => TargetName is null ? null : Target.Get(TargetName);

    /// <summary>This source with a relative file path taken from <paramref name="folder"/> (an experiment's prepared inputs).</summary>
    public DataSource RootedIn(string folder) => File is null || Path.IsPathRooted(File) ? this : this with { File = Path.Combine(folder, File) };

    /// <summary>Reads and checks the data once, in the run's precision (values that overflow float32 are refused in
    /// float32), so that bad data are reported before any run starts.</summary>
    public DataSource Checked(bool singlePrecision)
    {
        if (File is not null) _samples = SampleCsv.Read(File, singlePrecision);
        _ = ForSeed(0);
        return this;
    }

    public Dataset ForSeed(int seed)
    {
        if (Target is { } target) return Dataset.FromTarget(target, TrainSize, ValidationSize, TestSize, seed);
        if (Uci is not null) return _uci ??= UciTabular.Load(Uci, UciFolder!);
        _samples ??= SampleCsv.Read(File!);
        return Dataset.FromSamples(Name, _samples, seed, File);
    }
}
