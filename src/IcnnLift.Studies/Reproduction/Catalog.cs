using IcnnLift.Data;
using IcnnLift.Convex;
using IcnnLift.Diagnostics;
using IcnnLift.Studies;
using IcnnLift.Studies.Mechanism;
using IcnnLift.Positivity;
using IcnnLift.Studies.ImageLatents;
using IcnnLift.Training;

namespace IcnnLift.Studies.Reproduction;

/// <summary>One training run of a sweep: its group (the data set), its data and its configuration; under the tuned
/// protocol also its role and the group it tunes for (<see cref="Tuning"/>).</summary>
public sealed record PlannedRun(string Group, DataSource Data, TrainConfig Config, RunRole Role = RunRole.Evaluation, string? Basis = null)
{
    /// <summary>Its folder under the experiment's runs/: group/method-seedN.</summary>
    public string Key => $"{Group}/{Config.MethodName}-seed{Config.Seed}";
}

/// <summary>Work of an experiment that is not a training run of the sweep (the SDE, the landscape).</summary>
public enum Extra { EscapeSde, Landscape }

/// <summary>Work done once per results folder before an experiment's runs: the data files they read (under
/// inputs/, written atomically) and the baselines that are not training runs (inputs/baselines.csv).</summary>
public enum Preparation { None, MnistLatents }

/// <summary>How the report judges an experiment: paired comparisons on its metric, the mechanism's three
/// sub-claims, or a map with no verdict (the regime map).</summary>
public enum Judgement { Paired, Mechanism, Map }

/// <summary>
/// One claim of the paper, as a sweep of independent runs plus what is judged on them.
/// <paramref name="Comparisons"/>: (method, other) pairs on <paramref name="Metric"/>; the claim is reproduced
/// when the method is lower on every group with p &lt; 0.05 (Wilcoxon signed-rank on shared seeds).
/// </summary>
/// <param name="SecondsPerRun">Wall seconds of one run at paper scale with two side by side on this machine's two cores
/// (measured, median over methods), for the time estimate.</param>
/// <param name="ValidationCurves">Whether the report draws the runs' validation curves.</param>
/// <param name="PairAcrossGroups">Test each comparison once over all (group, seed) pairs instead of per group (for
/// many groups with few seeds each, as the MNIST classes); reproduced then also needs a lower median in every group.</param>
/// <param name="Shown">Comparisons tested and reported beside the claim's but not part of its verdict (the lift against
/// lift-fixed where the claim is about the lift against the baselines).</param>
/// <param name="BasinMargin">With a known 2-D density, the report also gives each method's basin fraction: the share of seeds whose
/// test NLL falls below the target's entropy plus this margin (nats), and McNemar tests on the comparisons.</param>
public sealed record Experiment(string Name, string Claim, string Metric, Func<bool, IReadOnlyList<PlannedRun>> Plan,
    (string Method, string Other)[] Comparisons, double SecondsPerRun, double QuickSecondsPerRun, Extra[] Extras,
    Judgement Judgement = Judgement.Paired, bool ValidationCurves = false, Preparation Prepare = Preparation.None, bool PairAcrossGroups = false,
    (string Method, string Other)[]? Shown = null, double? BasinMargin = null)
{
    /// <summary>The plan, or with <paramref name="seeds"/> the same plan at that many evaluation seeds (0 .. seeds - 1) for each
    /// group, method and role ("beyond paper scale"); tuning runs are kept as they are, and the order is the plan's.</summary>
    public IReadOnlyList<PlannedRun> Runs(bool quick, int? seeds = null)
    {
        var plan = Plan(quick);
        if (seeds is not int n) return plan;
        var seen = new HashSet<(string, PositivityMethod, RunRole)>();
        return [.. plan.SelectMany(r => r.Role == RunRole.Tuning ? [r]
            : seen.Add((r.Group, r.Config.Method, r.Role)) ? Enumerable.Range(0, n).Select(s => r with { Config = r.Config with { Seed = s } })
            : [])];
    }

    public TimeSpan Estimate(bool quick, int cores = 2) =>
        TimeSpan.FromSeconds(Plan(quick).Count * (quick ? QuickSecondsPerRun : SecondsPerRun) / cores
            + (Extras.Length + (Prepare == Preparation.None ? 0 : 1)) * (quick ? 5 : 60));
}

/// <summary>The paper's claims as named experiments (<c>icnn-lift reproduce --list</c>).</summary>
public static class Catalog
{
    private static readonly PositivityMethod[] Headline = [PositivityMethod.Pgd, PositivityMethod.Softplus, PositivityMethod.Lift];

    /// <summary>The decisive test's groups: a target and its training-set size.</summary>
    private static readonly (string Group, string Target, int TrainSize)[] DecisiveGroups =
        [("gumbel", "gumbel", 1000), ("laplace", "laplace", 1000), ("gumbel-n10k", "gumbel", 10_000)];

    public static readonly PositivityMethod[] DecisiveMethods =
        [PositivityMethod.Pgd, PositivityMethod.Softplus, PositivityMethod.Lift, PositivityMethod.LiftFixed];

    /// <summary>Quick runs: the same pipeline, small enough for CI.</summary>
    private static TrainConfig Quick(TrainConfig c) => c with { Steps = 60, EvalEvery = 20, Width = 16, Depth = 2, GridPoints = 128, ImportanceSamples = 256 };

    private static DataSource Target(string name, bool quick, int trainSize = 1000) =>
        quick ? new DataSource(name, null, 300, 200, 500) : new DataSource(name, null, trainSize);

    /// <summary>Groups x methods x seeds, each run from <paramref name="config"/> (then shrunk when quick).</summary>
    private static Func<bool, IReadOnlyList<PlannedRun>> Sweep(string[] groups, PositivityMethod[] methods, int seeds, int quickSeeds,
        Func<string, PositivityMethod, int, TrainConfig> config, int trainSize = 1000) =>
        quick => groups.SelectMany(g => methods.SelectMany(m => Enumerable.Range(0, quick ? quickSeeds : seeds).Select(s =>
        {
            var c = config(g, m, s);
            return new PlannedRun(g, Target(g, quick, trainSize), quick ? Quick(c) : c);
        }))).ToList();

    private static TrainConfig Ebm(string _, PositivityMethod method, int seed) => new() { Method = method, Seed = seed };

    private static TrainConfig Flow(string _, PositivityMethod method, int seed) => new() { Method = method, Seed = seed, Task = DensityTask.Flow, Blocks = 2 };

    /// <summary>The 2-D flows of flows-2d: <see cref="Preset.CpflowToy"/> from the symmetric start (see DESIGN-CHOICES).</summary>
    private static readonly (TrainConfig Config, int? TrainSize) ToyFlow = Presets.Of(Preset.CpflowToy);

    private static TrainConfig SymmetricToyFlow(string _, PositivityMethod method, int seed) =>
        ToyFlow.Config with { Method = method, Seed = seed, SymmetricInit = true };

    public static IReadOnlyList<Experiment> All { get; } =
    [
        new("toy-1d", "On four 1-D log-concave targets the lift reaches a lower total-variation distance than PGD and direct softplus (30 seeds a "
            + "method), at the paper's one shared learning rate (5e-3) and with each method at its own rates (tuned on validation NLL over two tuning "
            + "seeds); the lift as the paper sizes it (a hypernetwork of about 1e6 parameters), with lift-fixed (no batch noise) shown beside it.",
            "total_variation", BothProtocols(Targets("gumbel", "gamma", "laplace", "logistic"), 1, DecisiveMethods, 30, 2),
            [(Name(PositivityMethod.Lift), Name(PositivityMethod.Softplus)), (Name(PositivityMethod.Lift), Name(PositivityMethod.Pgd))], 11, 1.5, [],
            Shown: [(Name(PositivityMethod.Lift), Name(PositivityMethod.LiftFixed))]),
        new("flows-2d", "On 2-D convex-potential flows (8 Gaussians, 2 spirals) the lift reaches a lower test NLL than PGD and direct softplus (100 seeds a "
            + "method, symmetric start), with CP-Flow's toy flow (--preset cpflow-toy: one block, depth 20).",
            "test_nll", Sweep(["8gaussians", "2spirals"], Headline, 100, 2, SymmetricToyFlow, ToyFlow.TrainSize!.Value),
            [(Name(PositivityMethod.Lift), Name(PositivityMethod.Softplus)), (Name(PositivityMethod.Lift), Name(PositivityMethod.Pgd))], 76, 2.5, [],
            BasinMargin: 0.1),
        new("dimension-scaling", "The lift stays below direct softplus as the dimension grows: d = 1, 2, 6, 32 (energy models, 3 seeds; 32-D is the tabular "
            + "stand-in).",
            "test_nll", Sweep(["gumbel", "gamma-mode-2d", "tabular-6d", "tabular-32d"], [PositivityMethod.Softplus, PositivityMethod.Lift], 3, 2,
                (g, m, s) => Ebm(g, m, s) with { Base = g.StartsWith("tabular", StringComparison.Ordinal) ? EnergyBase.Gaussian : EnergyBase.None }),
            [(Name(PositivityMethod.Lift), Name(PositivityMethod.Softplus))], 26, 4, []),
        new("tabular-21d", "On a 21-D tabular target (convex-potential flow) the lift reaches a lower test NLL than PGD and direct softplus, with validation "
            + "curves (3 seeds).",
            "test_nll", Sweep(["tabular-21d"], Headline, 3, 2, (g, m, s) => Flow(g, m, s) with { Blocks = 1 }),
            [(Name(PositivityMethod.Lift), Name(PositivityMethod.Softplus)), (Name(PositivityMethod.Lift),
                Name(PositivityMethod.Pgd))], 53, 3, [], ValidationCurves: true),
        new("mnist-latents", "On MNIST autoencoder latents (32-D, one model a digit class) the lift reaches a lower test NLL than PGD, and both a lower one "
            + "than a full-covariance Gaussian, on every class (3 seeds a class; paired over classes and seeds).",
            "test_nll", MnistPlan, [(Name(PositivityMethod.Lift), Name(PositivityMethod.Pgd)), (Name(PositivityMethod.Lift), Gaussian),
                (Name(PositivityMethod.Pgd), Gaussian)],
            30, 1.5, [], Prepare: Preparation.MnistLatents, PairAcrossGroups: true),
        new("mechanism", "Deleting any one ingredient (bias, batch-conditioned body, batch noise) collapses the slack-channel cross-covariance to a "
            + "structural zero; direct softplus's shoulder occupancy never drains while the lift's is transient; body noise lets the bias-channel SDE "
            + "escape (Gumbel, 5 seeds; the lift family with the paper-scale hypernetwork, at the shared and at tuned learning rates).",
            "total_variation", BothProtocols(Targets("gumbel"), 1, Ablation.Architectures, 5, 2),
            [], 11, 1.5, [Extra.EscapeSde, Extra.Landscape], Judgement.Mechanism),
        new("admm", "Plain ADMM with positivity (fixed rho = 10, residual balancing, rho doubling) does not close the gap to the lift (Gumbel, 10 seeds).",
            "total_variation", Sweep(["gumbel"], [PositivityMethod.Pgd, PositivityMethod.AdmmFixed, PositivityMethod.AdmmBalance, PositivityMethod.AdmmDouble,
                PositivityMethod.Lift], 10, 2, Ebm),
            [(Name(PositivityMethod.Lift), Name(PositivityMethod.AdmmFixed)), (Name(PositivityMethod.Lift), Name(PositivityMethod.AdmmBalance)),
                (Name(PositivityMethod.Lift), Name(PositivityMethod.AdmmDouble))], 4.8, 1.5, []),
        new("matched-capacity", "Direct softplus widened to the lift's parameter count does not reach the lift (Gumbel and the 6-D tabular stand-in, 3 seeds).",
            "test_nll", Sweep(["gumbel", "tabular-6d"], [PositivityMethod.Softplus, PositivityMethod.SoftplusMatched, PositivityMethod.Lift], 3, 2,
                (g, m, s) => Ebm(g, m, s) with { Base = g.StartsWith("tabular", StringComparison.Ordinal) ? EnergyBase.Gaussian : EnergyBase.None }),
            [(Name(PositivityMethod.Lift), Name(PositivityMethod.SoftplusMatched))], 30, 3, []),
        new("decisive-1d", "Beyond the paper: the decisive test of the mechanism. With a paper-scale hypernetwork (about 1e6 parameters), the lift "
            + "reaches a lower excess cross-entropy (KL to the target) than direct softplus and PGD, and than lift-fixed, the same hypernetwork "
            + "conditioned on one fixed batch (no batch noise), under both protocols: one shared learning rate (5e-3, the paper's) and each method at "
            + "its own rates chosen on validation NLL over two tuning seeds (lr and hypernetwork lr in {1e-3, 5e-3, 2e-2}); Gumbel and Laplace at "
            + "1,000 training samples and Gumbel at 10,000 (out of the estimation floor), 10 evaluation seeds.",
            "excess_cross_entropy", BothProtocols(DecisiveGroups, 1, DecisiveMethods, 10, 2),
            [(Name(PositivityMethod.Lift), Name(PositivityMethod.Softplus)), (Name(PositivityMethod.Lift), Name(PositivityMethod.Pgd)),
                (Name(PositivityMethod.Lift), Name(PositivityMethod.LiftFixed))], 16, 1.5, []),
        new("regime-map", "Beyond the paper: where does the lift help? Lift, lift-fixed, direct softplus and PGD around decisive-1d's base point, "
            + "one axis changed at a time: the learning-rate protocol (shared, tuned), the optimiser (SGD with momentum), the initial level, the "
            + "hypernetwork's size, its head's initial scale and its conditioning size, the activation (ReLU), and a narrow network whose optimum is "
            + "dense; on the Gumbel and the Laplace (excess cross-entropy, 5 seeds a cell).",
            "excess_cross_entropy", RegimePlan, [], 11, 1.5, [], Judgement.Map),
    ];

    /// <summary>A method as the report's comparisons name it.</summary>
    private static string Name(PositivityMethod method) => Choice.Name(method);

    /// <summary>The full-covariance Gaussian baseline of mnist-latents (written by its preparation, not trained by the sweep).</summary>
    public const string Gaussian = "gaussian";

    /// <summary>The MNIST preparation's inputs: the whole digit set and 15 autoencoder epochs, or 60 digits a class and one epoch.</summary>
    public static (int? PerClass, int Epochs) MnistScale(bool quick) => quick ? (60, 1) : (null, 15);

    /// <summary>One energy model a digit class and method on the class's latents (written by the preparation under inputs/),
    /// with the Gaussian base as in <c>icnn-lift mnist --base gaussian</c>.</summary>
    private static IReadOnlyList<PlannedRun> MnistPlan(bool quick) =>
        [.. from c in Enumerable.Range(0, 10)
            from method in Headline
            from seed in Enumerable.Range(0, quick ? 1 : 3)
            let config = Ebm("", method, seed) with { Base = EnergyBase.Gaussian }
            select new PlannedRun($"class-{c}", new DataSource(null, MnistLatents.ClassFile(Reproduction.Sweep.InputsFolder, c)),
                quick ? Quick(config) : config)];

    /// <summary>The tuned protocol's grid: lr and hypernetwork lr in {1e-3, 5e-3, 2e-2}, two tuning seeds.</summary>
    private static Tuning TuningGrid(bool quick) => quick ? new Tuning([5e-3, 2e-2], [1000]) : new Tuning([1e-3, 5e-3, 2e-2], [1000, 1001]);

    /// <summary>A method as the paper trains it: the catalogue's energy model, the lift family with the paper-scale hypernetwork
    /// (the small one when quick).</summary>
    private static TrainConfig PaperScale(PositivityMethod m, bool quick) => Ebm("", m, 0) with
    {
        Lift = PositivityMethods.HasHypernetwork(m) && !quick ? LiftOptions.Preset(HypernetworkSize.Paper) : new LiftOptions(),
    };

    private static TrainConfig Scaled(TrainConfig c, bool quick) => quick ? Quick(c) : c;

    /// <summary>Both protocols, group by group: its tuning runs, its runs at the shared rate (group "G"), then those at the tuned
    /// rates ("G+tuned", <see cref="Tuning"/>); every method at <see cref="PaperScale"/>.</summary>
    private static Func<bool, IReadOnlyList<PlannedRun>> BothProtocols((string Group, string Target, int TrainSize)[] groups, int quickGroups,
        PositivityMethod[] methods, int seeds, int quickSeeds) => quick =>
    {
        var tuning = TuningGrid(quick);
        var evaluated = Enumerable.Range(0, quick ? quickSeeds : seeds).ToList();
        return [.. from g in quick ? groups.Take(quickGroups) : groups
                   let data = quick ? Target(g.Target, quick) : new DataSource(g.Target, null, g.TrainSize, 1000, 5000)
                   from run in methods.SelectMany(m => tuning.Plan(g.Group, data, PaperScale(m, quick), c => Scaled(c, quick)))
                       .Concat(from m in methods from s in evaluated
                               select new PlannedRun(g.Group, data, Scaled(PaperScale(m, quick) with { Seed = s }, quick)))
                       .Concat(from m in methods from s in evaluated
                               select new PlannedRun(g.Group + Tuning.TunedSuffix, data, Scaled(PaperScale(m, quick) with { Seed = s }, quick),
                                   RunRole.Tuned, g.Group))
                   select run];
    };

    /// <summary>Targets at the catalogue's 1,000 training samples, as groups of <see cref="BothProtocols"/>.</summary>
    private static (string, string, int)[] Targets(params string[] names) => [.. names.Select(n => (n, n, 1000))];

    /// <summary>One cell of the regime map: one setting changed from the base point, the same for every method, or the base point
    /// under the tuned protocol; its group is "TARGET@LABEL".</summary>
    public sealed record RegimeCell(string Label, string Change, Func<TrainConfig, TrainConfig> Apply, bool Tuned = false);

    /// <summary>The regime map's cells: the base point (decisive-1d's: Adam at the shared 5e-3, the initialisation's own weights,
    /// the paper-scale hypernetwork with a zero head conditioned on the whole batch, softplus activations, width 64), the tuned
    /// protocol, then one axis changed at a time. The narrow network (width 8) is the regime with a dense optimum: PGD keeps
    /// most of its weights above the shoulder there, so a softplus-family occupancy that stays high is a trap, not sparsity.</summary>
    public static IReadOnlyList<RegimeCell> RegimeCells(bool quick)
    {
        RegimeCell[] cells =
        [
            new("base", "none (Adam, lr 5e-3, paper-scale hypernetwork)", c => c),
            new("base" + Tuning.TunedSuffix, "each method at its tuned rates", c => c, Tuned: true),
            new("sgd", "SGD with momentum 0.9, lr 5e-2", c => c with { Optimizer = OptimizerKind.Sgd, LearningRate = 5e-2 }),
            new("t0-3", "initial level t0 = -3", c => c with { InitialLevel = -3 }),
            new("t0-5", "initial level t0 = -5", c => c with { InitialLevel = -5 }),
            new("hyper-small", "small hypernetwork (75k parameters)", c => c with { Lift = LiftOptions.Preset(HypernetworkSize.Small) }),
            new("head-1", "head's initial scale 1", c => c with { Lift = c.Lift with { HeadScale = 1 } }),
            new("cond-8", "conditioning on 8 rows of the batch", c => c with { Lift = c.Lift with { ConditioningSize = 8 } }),
            new("relu", "ReLU activations", c => c with { Activation = Activation.Relu }),
            new("narrow", "width 8 (dense optimum)", c => c with { Width = 8 }),
            new("narrow-t0-5", "width 8, initial level t0 = -5", c => c with { Width = 8, InitialLevel = -5 }),
        ];
        return quick ? [cells[0], cells[1], cells[^1]] : cells;
    }

    /// <summary>Target by target, cell by cell: every method of the decisive test at the base point with one setting changed
    /// (<see cref="RegimeCells"/>), 1,000 training samples, 5 seeds; the tuned cell's tuning runs first.</summary>
    private static IReadOnlyList<PlannedRun> RegimePlan(bool quick)
    {
        string[] targets = quick ? ["gumbel"] : ["gumbel", "laplace"];
        var seeds = Enumerable.Range(0, quick ? 2 : 5).ToList();
        var tuning = TuningGrid(quick);
        return [.. from target in targets
                   let data = quick ? Target(target, quick) : new DataSource(target, null, 1000, 1000, 5000)
                   from cell in RegimeCells(quick)
                   from run in cell.Tuned
                       ? DecisiveMethods.SelectMany(m => tuning.Plan($"{target}@base", data, PaperScale(m, quick), c => Scaled(c, quick)))
                           .Concat(from m in DecisiveMethods from s in seeds
                                   select new PlannedRun($"{target}@{cell.Label}", data, Scaled(PaperScale(m, quick) with { Seed = s }, quick),
                                       RunRole.Tuned, $"{target}@base"))
                       : from m in DecisiveMethods from s in seeds
                         select new PlannedRun($"{target}@{cell.Label}", data, Scaled(cell.Apply(PaperScale(m, quick) with { Seed = s }), quick))
                   select run];
    }

    public static Experiment Get(string name) =>
        All.FirstOrDefault(e => e.Name == name.Trim().ToLowerInvariant())
        ?? throw new ArgumentException($"unknown experiment '{name}' ({string.Join(", ", All.Select(e => e.Name))})");

    /// <summary>The extra work's settings at either scale.</summary>
    public static EscapeSdeOptions SdeOptions(bool quick) => quick ? new EscapeSdeOptions(Paths: 200, Steps: 2000) : new EscapeSdeOptions();


    public static LandscapeOptions LandscapeOptions(bool quick) => quick ? new LandscapeOptions(Resolution: 7, TrajectoryEvery: 10) : new LandscapeOptions();
}
