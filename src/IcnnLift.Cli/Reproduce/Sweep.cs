using System.Text.Json;
using IcnnLift.Data;
using IcnnLift.Density;
using IcnnLift.Positivity;
using IcnnLift.Training;

namespace IcnnLift.Cli.Reproduce;

/// <summary>"i/n": this process runs the i-th of n deterministic parts of a sweep (runs at positions p with p mod n = i - 1).</summary>
internal sealed record Shard(int Index, int Count)
{
    public static readonly Shard Whole = new(1, 1);

    public static Shard Parse(string text)
    {
        var parts = text.Split('/');
        if (parts.Length != 2 || !int.TryParse(parts[0], out int i) || !int.TryParse(parts[1], out int n) || n < 1 || i < 1 || i > n)
            throw new InputException($"--shard: expected i/n with 1 <= i <= n, got '{text}'");
        return new Shard(i, n);
    }

    public bool Owns(int position) => position % Count == Index - 1;
}

/// <summary>What experiment.json holds: which sweep a folder is, so that shards and reruns add to the same one.</summary>
internal sealed record SweepManifest(string Format, string Experiment, bool Quick, IReadOnlyList<string> Runs);

/// <summary>
/// Runs an experiment's sweep into DIR/NAME: each run's folder is written atomically when the run finishes
/// (runs/group/method-seedN), so a rerun skips finished runs and redoes a run killed half-way (its temporary
/// folder is removed first). Shards of one sweep, on one machine or many, write into the same folder.
/// </summary>
internal static class Sweep
{
    public const string Format = "icnn-lift-reproduce/1";

    /// <summary>An experiment's prepared inputs (<see cref="Preparation"/>), relative to its folder.</summary>
    public const string InputsFolder = "inputs";

    public static string BaselinesFile(string folder) => Path.Combine(folder, InputsFolder, "baselines.csv");

    public static string RunPath(string folder, PlannedRun run) => Path.Combine(folder, "runs", run.Group, $"{run.Config.Method}-seed{run.Config.Seed}");

    public static bool Finished(string folder, PlannedRun run) => File.Exists(Path.Combine(RunPath(folder, run), "result.json"));

    /// <summary>The folder's manifest, checked against the planned sweep, or written when the folder is new.</summary>
    public static SweepManifest Claim(string folder, Experiment experiment, bool quick)
    {
        var manifest = new SweepManifest(Format, experiment.Name, quick, experiment.Plan(quick).Select(r => r.Key).ToList());
        var path = Path.Combine(folder, "experiment.json");
        if (File.Exists(path))
        {
            var existing = Read(path);
            if (existing.Format != Format) throw new InputException($"{path}: format '{existing.Format}' is not '{Format}' (a results folder from another version)");
            if (existing.Experiment != experiment.Name || existing.Quick != quick || !existing.Runs.SequenceEqual(manifest.Runs))
                throw new InputException($"{path}: holds a {(existing.Quick ? "quick" : "paper-scale")} sweep of '{existing.Experiment}' that differs from this one; choose another --out");
            return existing;
        }
        AtomicFile.Write(path, w => w.Write(JsonSerializer.Serialize(manifest, RunFolder.Json)));
        return manifest;
    }

    public static SweepManifest Read(string path)
    {
        try
        {
            return JsonSerializer.Deserialize<SweepManifest>(File.ReadAllText(path), RunFolder.Json) ?? throw new InputException($"{path}: empty");
        }
        catch (JsonException e)
        {
            throw new InputException($"{path}: not a valid experiment manifest ({e.Message})");
        }
    }

    /// <summary>Runs this shard's unfinished runs, <paramref name="threads"/> side by side. Returns (ran, already finished, other shards').</summary>
    /// <param name="digits">The MNIST digits folder, read only by an experiment that prepares MNIST latents.</param>
    public static (int Ran, int Skipped, int Elsewhere) Run(Experiment experiment, bool quick, string root, Shard shard, int threads, string digits)
    {
        var folder = Path.Combine(root, experiment.Name);
        var plan = experiment.Plan(quick);
        // Inputs are read and checked before anything is written; the first shard to finish preparing them writes them.
        var mnist = experiment.Prepare == Preparation.MnistLatents && !Directory.Exists(Path.Combine(folder, InputsFolder)) ? Mnist.ReadJson(digits) : null;
        Claim(folder, experiment, quick);
        if (mnist is not null) PrepareMnist(folder, plan, mnist, quick);
        var mine = plan.Where((_, i) => shard.Owns(i)).ToList();
        var todo = mine.Where(r => !Finished(folder, r)).ToList();
        foreach (var run in todo)
        {
            // A run killed half-way leaves its temporary sibling; this shard owns the run, so nobody else is writing it.
            var path = RunPath(folder, run);
            var parent = Path.GetDirectoryName(path)!;
            if (Directory.Exists(parent))
                foreach (var stale in Directory.GetDirectories(parent, $".{Path.GetFileName(path)}.tmp-*")) Directory.Delete(stale, recursive: true);
        }
        if (todo.Count > 0)
            JobRunner.RunAll($"{experiment.Name}{(quick ? " (quick)" : "")}: {todo.Count} runs", todo.Select(r => new JobSpec(r.Config, r.Data.RootedIn(folder), RunPath(folder, r))).ToList(), threads);
        if (shard.Index == 1) RunExtras(experiment, quick, folder);
        return (todo.Count, mine.Count - todo.Count, plan.Count - mine.Count);
    }

    /// <summary>The autoencoder and per-class latents (seed 0), and the Gaussian baseline on every run's split.</summary>
    private static void PrepareMnist(string folder, IReadOnlyList<PlannedRun> plan, Digits digits, bool quick)
    {
        Runtime.TorchRuntime.Initialize(1);
        var (perClass, epochs) = Catalog.MnistScale(quick);
        RunFolder.WriteDirectory(Path.Combine(folder, InputsFolder), inputs =>
        {
            MnistLatents.Write(perClass is int n ? MnistLatents.FirstOfEachClass(digits, n) : digits, seed: 0, epochs, inputs);
            using var w = new StreamWriter(Path.Combine(inputs, "baselines.csv"));
            w.WriteLine("group,method,seed,test_nll");
            foreach (var run in plan.DistinctBy(r => (r.Group, r.Config.Seed)))
            {
                var split = new DataSource(null, Path.Combine(inputs, Path.GetRelativePath(InputsFolder, run.Data.File!))).ForSeed(run.Config.Seed);
                w.WriteLine(FormattableString.Invariant($"{run.Group},{Catalog.Gaussian},{run.Config.Seed},{new GaussianDensity(split.Train).Nll(split.Test):R}"));
            }
        });
    }

    private static void RunExtras(Experiment experiment, bool quick, string folder)
    {
        foreach (var extra in experiment.Extras)
        {
            var path = Path.Combine(folder, "extras", extra == Extra.EscapeSde ? "sde" : "landscape");
            if (Directory.Exists(path)) continue;
            Runtime.TorchRuntime.Initialize(1);
            if (extra == Extra.EscapeSde)
            {
                var options = Catalog.SdeOptions(quick);
                int[] budgets = quick ? [500, 2000] : [1000, 5000, 20000];
                SdeCommand.Produce(path, options, Catalog.SdeNoise, budgets, seed: 0);
            }
            else
            {
                var run = experiment.Plan(quick).First(r => r.Config.Method == PositivityMethod.Lift);
                var config = run.Config with { Seed = 0 };
                LandscapeCommand.Produce(path, run.Data, run.Data.ForSeed(0), config.Validated(run.Data.ForSeed(0).Dimension), Catalog.LandscapeOptions(quick));
            }
        }
    }
}
