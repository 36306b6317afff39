using System.Text.Json;
using IcnnLift.Data;
using IcnnLift.Density;
using IcnnLift.Positivity;
using IcnnLift.Studies.Mechanism;
using IcnnLift.Studies.ImageLatents;
using IcnnLift.Training;

namespace IcnnLift.Studies.Reproduction;

/// <summary>"i/n": this process runs the i-th of n deterministic parts of a sweep (runs at positions p with p mod n = i - 1).
/// <paramref name="From"/> says where the shard came from (for messages).</summary>
public sealed record Shard(int Index, int Count, string From = "--shard")
{
    /// <summary>The Kubernetes Indexed Job's completions count: Kubernetes gives each pod its index only.</summary>
    public const string CompletionsVariable = "ICNN_LIFT_SHARDS";

    public static Shard Parse(string text)
    {
        var parts = text.Split('/');
        if (parts.Length != 2 || !int.TryParse(parts[0], out int i) || !int.TryParse(parts[1], out int n) || n < 1 || i < 1 || i > n)
            throw new InputException($"--shard: expected i/n with 1 <= i <= n, got '{text}'");
        return new Shard(i, n);
    }

    /// <summary>The shard <c>--shard</c> names; without it, the one the scheduler's job array gives this process (Slurm:
    /// SLURM_ARRAY_TASK_ID, _MIN, _COUNT and _STEP; a Kubernetes Indexed Job: JOB_COMPLETION_INDEX with
    /// <see cref="CompletionsVariable"/>); else the whole sweep.</summary>
    public static Shard Resolve(string? option, Func<string, string?> variable)
    {
        if (option is not null) return Parse(option);
        int? Read(string name) => variable(name) is not { } text ? null
            : int.TryParse(text, out int value) ? value : throw new InputException($"{name}: expected an integer, got '{text}'");
        if (Read("SLURM_ARRAY_TASK_ID") is int id)
        {
            int Beside(string name) => Read(name) ?? throw new InputException($"{name} is not set beside SLURM_ARRAY_TASK_ID");
            int min = Beside("SLURM_ARRAY_TASK_MIN"), count = Beside("SLURM_ARRAY_TASK_COUNT"), step = Read("SLURM_ARRAY_TASK_STEP") ?? 1;
            if (id < min || step < 1 || (id - min) % step != 0 || (id - min) / step >= count)
                throw new InputException($"SLURM_ARRAY_TASK_ID {id} is not one of {count} array tasks from {min} in steps of {step}");
            return new Shard((id - min) / step + 1, count, "the Slurm job array");
        }
        if (Read("JOB_COMPLETION_INDEX") is int index)
        {
            int count = Read(CompletionsVariable)
                ?? throw new InputException($"JOB_COMPLETION_INDEX is set but {CompletionsVariable} is not: set it to the job's completions");
            if (count < 1 || index < 0 || index >= count)
                throw new InputException($"JOB_COMPLETION_INDEX {index} is not below {CompletionsVariable} {count}");
            return new Shard(index + 1, count, "the Kubernetes Indexed Job");
        }
        return new Shard(1, 1);
    }

    public bool Owns(int position) => position % Count == Index - 1;

    public override string ToString() => $"{Index}/{Count}";
}

/// <summary>What experiment.json holds: which sweep a folder is, so that shards and reruns add to the same one.</summary>
public sealed record SweepManifest(string Format, string Experiment, bool Quick, IReadOnlyList<string> Runs, int? Seeds = null);

/// <summary>
/// Runs an experiment's sweep into DIR/NAME: each run's folder is written atomically when the run finishes
/// (runs/group/method-seedN, through <see cref="OutputFolder"/>), so a rerun skips finished runs and redoes a run
/// killed half-way (its staging folder, whose owner is gone, is taken over). Shards of one sweep, on one machine or
/// many, write into the same folder.
/// </summary>
public static class Sweep
{
    public const string Format = "icnn-lift-reproduce/1";

    /// <summary>An experiment's prepared inputs (<see cref="Preparation"/>), relative to its folder.</summary>
    public const string InputsFolder = "inputs";

    public static string BaselinesFile(string folder) => Path.Combine(folder, InputsFolder, "baselines.csv");

    public static string RunPath(string folder, PlannedRun run) => Path.Combine(folder, "runs", run.Group, $"{run.Config.MethodName}-seed{run.Config.Seed}");

    public static bool Finished(string folder, PlannedRun run) => File.Exists(Path.Combine(RunPath(folder, run), "result.json"));

    /// <summary>The folder's manifest, checked against the planned sweep, or written when the folder is new.</summary>
    public static SweepManifest Claim(string folder, Experiment experiment, bool quick, int? seeds)
    {
        var manifest = new SweepManifest(Format, experiment.Name, quick, experiment.Runs(quick, seeds).Select(r => r.Key).ToList(), seeds);
        var path = Path.Combine(folder, "experiment.json");
        if (File.Exists(path))
        {
            var existing = Read(path);
            if (existing.Format != Format)
                throw new InputException($"{path}: format '{existing.Format}' is not '{Format}' (a results folder from another version)");
            if (existing.Experiment != experiment.Name || existing.Quick != quick || existing.Seeds != seeds || !existing.Runs.SequenceEqual(manifest.Runs))
                throw new InputException($"{path}: holds a {(existing.Quick ? "quick" : "paper-scale")} sweep of '{existing.Experiment}' that differs from "
                    + "this one; choose another --out");
            return existing;
        }
        AtomicFile.Write(path, w => w.Write(JsonSerializer.Serialize(manifest, RunFolder.Json)));
        return manifest;
    }

    public static SweepManifest Read(string path) => RunFolder.ReadJson<SweepManifest>(path);

    /// <summary>What one pass of a sweep did: runs finished now (their results), runs already finished, runs of other
    /// shards, and runs that failed (with keep-going).</summary>
    public sealed record Outcome(IReadOnlyList<RunResult> Ran, int Skipped, int Elsewhere, IReadOnlyList<JobFailure> Failed);

    /// <summary>Checks a results folder: absent (<see cref="Run"/> creates it, with the marker), or one icnn-lift wrote
    /// (the marker, or experiment folders of an earlier version). Returns the full path.</summary>
    public static string CheckResults(string? root, bool mustExist)
    {
        var full = OutputFolder.CheckPlace(root);
        if (!Directory.Exists(full))
            return mustExist ? throw new InputException($"--out {root}: results folder not found (icnn-lift reproduce NAME --out {root})") : full;
        if (Directory.EnumerateFileSystemEntries(full).Any() && !OutputFolder.IsOurs(full)
            && !Directory.EnumerateDirectories(full).Any(d => File.Exists(Path.Combine(d, "experiment.json"))))
            throw new InputException($"--out {root}: the folder exists and is not a results folder of icnn-lift reproduce; choose another --out");
        return full;
    }

    /// <summary>Runs this shard's unfinished runs, <paramref name="threads"/> side by side, into the results folder
    /// <paramref name="root"/> (checked by <see cref="CheckResults"/>).</summary>
    /// <param name="digits">The MNIST digits folder, read only by an experiment that prepares MNIST latents.</param>
    /// <param name="seeds">Evaluation seeds beyond the catalogue's (<see cref="Experiment.Runs"/>); null: the catalogue's.</param>
    public static Outcome Run(IStudyHost host, Experiment experiment, bool quick, string root, Shard shard, int threads, string digits,
        bool keepGoing = false, int? seeds = null)
    {
        var folder = Path.Combine(root, experiment.Name);
        var plan = experiment.Runs(quick, seeds);
        // Inputs are read and checked before anything is written.
        var mnist = experiment.Prepare == Preparation.MnistLatents && !Directory.Exists(Path.Combine(folder, InputsFolder)) ? Mnist.ReadJson(digits) : null;
        if (!Directory.Exists(root))
        {
            Directory.CreateDirectory(root);
            OutputFolder.Mark(root);
        }
        Claim(folder, experiment, quick, seeds);
        if (mnist is not null) PrepareMnist(host, folder, plan, mnist, quick);
        var mine = plan.Where((_, i) => shard.Owns(i)).ToList();
        JobOutcome RunUnfinished(IReadOnlyList<PlannedRun> runs, string what)
        {
            var todo = runs.Where(r => !Finished(folder, r)).ToList();
            // A run killed half-way left its staging folder, which the runner takes over (its owner is gone).
            var jobs = todo.Select(r => new JobSpec(r.Config, r.Data.RootedIn(folder), RunPath(folder, r))).ToList();
            try
            {
                return todo.Count == 0 ? new JobOutcome([], [])
                    : host.Runs.RunAll($"{experiment.Name}{(quick ? " (quick)" : "")}: {todo.Count} {what}", jobs, threads, ExistingRun.Skip, keepGoing);
            }
            catch (Exception e) when (e is OperationCanceledException or JobFailedException)
            {
                var kept = $"{mine.Count(r => Finished(folder, r))} of this shard's {mine.Count} runs are finished and kept in {folder}; run the same "
                    + "command again to resume";
                if (e is JobFailedException) host.Say(kept);
                else throw new StudyInterruptedException(kept);
                throw;
            }
        }
        // Under the tuned protocol, group by group (so that an interrupted sweep leaves whole groups): its tuning runs and
        // runs at the shared rate, then its runs at tuned rates, which wait until every tuning run of their method and
        // group is finished (by any shard).
        var parts = plan.Any(r => r.Role == RunRole.Tuned) ? mine.GroupBy(r => r.Basis ?? r.Group).Select(g => g.ToList()).ToList() : [mine];
        var outcomes = new List<JobOutcome>();
        int waiting = 0;
        foreach (var part in parts)
        {
            outcomes.Add(RunUnfinished(part.Where(r => r.Role != RunRole.Tuned).ToList(), "runs"));
            var tuned = part.Where(r => r.Role == RunRole.Tuned).Select(r => Tuning.Resolve(folder, plan, r)).ToList();
            waiting += tuned.Count(r => r is null);
            outcomes.Add(RunUnfinished(tuned.OfType<PlannedRun>().ToList(), "runs at tuned rates"));
        }
        if (waiting > 0) host.Say($"{waiting} runs at tuned rates wait for tuning runs of other shards: run the same command again once they finish");
        if (shard.Index == 1) RunExtras(host, experiment, quick, folder);
        var finished = outcomes.SelectMany(o => o.Finished).ToList();
        var failed = outcomes.SelectMany(o => o.Failed).ToList();
        var ran = finished.Select(j => RunFolder.LoadResult(j.Output)).ToList();
        return new Outcome(ran, mine.Count - ran.Count - failed.Count - waiting, plan.Count - mine.Count, failed);
    }

    /// <summary>The autoencoder and per-class latents (seed 0), and the Gaussian baseline on every run's split.</summary>
    private static void PrepareMnist(IStudyHost host, string folder, IReadOnlyList<PlannedRun> plan, Digits digits, bool quick)
    {
        Runtime.TorchRuntime.Initialize(1);
        var (perClass, epochs) = Catalog.MnistScale(quick);
        var path = Path.Combine(folder, InputsFolder);
        while (!Directory.Exists(path))
        {
            try
            {
                using var claimed = OutputFolder.Claim(path, option: "inputs folder");
                WriteMnistInputs(host, claimed.Staging, plan, digits, perClass, epochs);
                claimed.Commit();
            }
            catch (OutputBusyException)
            {
                // Another shard prepares them now: wait for its folder.
                Thread.Sleep(TimeSpan.FromSeconds(2));
                host.Cancellation.ThrowIfCancellationRequested();
            }
            catch (InputException) when (Directory.Exists(path))
            {
                // Another shard finished them first.
            }
        }
    }

    private static void WriteMnistInputs(IStudyHost host, string inputs, IReadOnlyList<PlannedRun> plan, Digits digits, int? perClass, int epochs)
    {
        MnistLatents.Write(host, perClass is int n ? MnistLatents.FirstOfEachClass(digits, n) : digits, seed: 0, epochs, inputs);
        using var w = new StreamWriter(Path.Combine(inputs, "baselines.csv"));
        w.WriteLine("group,method,seed,test_nll");
        foreach (var run in plan.DistinctBy(r => (r.Group, r.Config.Seed)))
        {
            var split = new DataSource(null, Path.Combine(inputs, Path.GetRelativePath(InputsFolder, run.Data.File!))).ForSeed(run.Config.Seed);
            w.WriteLine(FormattableString.Invariant($"{run.Group},{Catalog.Gaussian},{run.Config.Seed},{new GaussianDensity(split.Train).Nll(split.Test):R}"));
        }
    }

    private static void RunExtras(IStudyHost host, Experiment experiment, bool quick, string folder)
    {
        foreach (var extra in experiment.Extras)
        {
            var path = Path.Combine(folder, "extras", extra == Extra.EscapeSde ? "sde" : "landscape");
            if (Directory.Exists(path)) continue;
            Runtime.TorchRuntime.Initialize(1);
            using var output = OutputFolder.Claim(path, option: "extras folder");
            if (extra == Extra.EscapeSde)
            {
                var options = Catalog.SdeOptions(quick);
                int[] budgets = quick ? [500, 2000] : [1000, 5000, 20000];
                EscapeStudy.Produce(host, output, options, EscapeStudy.DefaultNoise, budgets, seed: 0);
            }
            else
            {
                var run = experiment.Plan(quick).First(r => r.Config.Method == PositivityMethod.Lift);
                var config = run.Config with { Seed = 0 };
                LandscapeStudy.Produce(host, output, run.Data, run.Data.ForSeed(0), config.Validated(run.Data.ForSeed(0).Dimension),
                    Catalog.LandscapeOptions(quick));
            }
        }
    }
}
