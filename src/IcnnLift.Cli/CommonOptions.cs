using System.CommandLine;
using IcnnLift.Convex;
using IcnnLift.Flows;
using IcnnLift.Positivity;

namespace IcnnLift.Cli;

/// <summary>The options every training command shares, and how they become a <see cref="TrainConfig"/> and data.</summary>
internal sealed class CommonOptions
{
    private static readonly TrainConfig Defaults = new();

    /// <param name="threadsHelp">What --threads means for the command.</param>
    /// <param name="defaultThreads">Its default.</param>
    public CommonOptions(string threadsHelp, int defaultThreads) =>
        Threads = new Option<int>("--threads") { Description = threadsHelp, DefaultValueFactory = _ => defaultThreads };

    public readonly Option<string> Task = new("--task") { Description = "Density model: ebm (log-concave energy; quadrature normaliser for d <= 2, importance sampling above) or flow (convex-potential flow)", DefaultValueFactory = _ => Choice.Name(Defaults.Task) };
    public readonly Option<int> Blocks = new("--blocks") { Description = "Blocks of a flow", DefaultValueFactory = _ => Defaults.Blocks };
    public readonly Option<string> LogDet = new("--logdet") { Description = "Flow log-determinant: exact (closed-form Hessian) or stochastic (Hutchinson + CG for training, Lanczos for evaluation)", DefaultValueFactory = _ => Choice.Name(Defaults.Flow.LogDet) };
    public readonly Option<int> Probes = new("--probes") { Description = "Probe vectors per sample for the stochastic log-determinant's training surrogate", DefaultValueFactory = _ => Defaults.Flow.Probes };
    public readonly Option<string?> Target = new("--target") { Description = $"Known target: {string.Join(", ", IcnnLift.Targets.Target.Names)}" };
    public readonly Option<string?> Data = new("--data") { Description = "CSV file of samples (one row a sample; optional header), split 80/10/10 by seed" };
    public readonly Option<string?> Uci = new("--uci") { Description = "UCI set in its original files: power (data.npy) or hepmass (1000_train.csv, 1000_test.csv)" };
    public readonly Option<string> UciFolder = new("--data-dir") { Description = "Folder with the UCI files (or with power/ and hepmass/ subfolders)", DefaultValueFactory = _ => Path.Combine("data", "uci") };
    public readonly Option<int> TrainSize = new("--n-train") { Description = "Training samples drawn from a target", DefaultValueFactory = _ => 1000 };
    public readonly Option<int> ValidationSize = new("--n-validation") { Description = "Validation samples drawn from a target", DefaultValueFactory = _ => 1000 };
    public readonly Option<int> TestSize = new("--n-test") { Description = "Test samples drawn from a target", DefaultValueFactory = _ => 5000 };
    public readonly Option<int> Steps = new("--steps") { Description = "Optimiser steps", DefaultValueFactory = _ => Defaults.Steps };
    public readonly Option<int> BatchSize = new("--batch-size") { Description = "Mini-batch size (also the lift's conditioning batch)", DefaultValueFactory = _ => Defaults.BatchSize };
    public readonly Option<double> LearningRate = new("--lr") { Description = "Learning rate", DefaultValueFactory = _ => Defaults.LearningRate };
    public readonly Option<string> Optimizer = new("--optimizer") { Description = "adam, or sgd (momentum 0.9)", DefaultValueFactory = _ => Choice.Name(Defaults.Optimizer) };
    public readonly Option<double?> InitialLevel = new("--init-level") { Description = "Start every constrained weight at softplus(level + 0.5 z): how deep in the softplus shoulder training starts" };
    public readonly Option<double?> HyperLearningRate = new("--hyper-lr") { Description = "Learning rate of the lift's hypernetwork (default: --lr)" };
    public readonly Option<int> EvalEvery = new("--eval-every") { Description = "Validate every k steps", DefaultValueFactory = _ => Defaults.EvalEvery };
    public readonly Option<int> Width = new("--width") { Description = "Hidden width of the ICNN", DefaultValueFactory = _ => Defaults.Width };
    public readonly Option<int> Depth = new("--depth") { Description = "Hidden layers of the ICNN", DefaultValueFactory = _ => Defaults.Depth };
    public readonly Option<string> Activation = new("--activation") { Description = "softplus, relu, leaky_relu[:slope], elu[:scale]", DefaultValueFactory = _ => Defaults.Activation.ToString() };
    public readonly Option<double> Alpha = new("--alpha") { Description = "Strong-convexity weight alpha of (alpha/2)|x|^2", DefaultValueFactory = _ => Defaults.Alpha };
    public readonly Option<string> Init = new("--init") { Description = "Initialisation: default or principled (Hoedt & Klambauer 2023)", DefaultValueFactory = _ => Choice.Name(Defaults.Initialization) };
    public readonly Option<string> Base = new("--base") { Description = "Energy models: gaussian adds the training data's Gaussian energy (fixed) to the network; none", DefaultValueFactory = _ => Choice.Name(Defaults.Base) };
    public readonly Option<double> HeadScale = new("--head-scale") { Description = "Initial scale of the lift's head (0: exact fair start)", DefaultValueFactory = _ => Defaults.Lift.HeadScale };
    public readonly Option<int?> ConditioningSize = new("--conditioning-size") { Description = "Rows of the batch the lift's hypernetwork sees (default: all)" };
    public readonly Option<double> ShoulderSigma = new("--shoulder") { Description = "Shoulder level sigma_s: a coordinate is in the shoulder when softplus'(t) < sigma_s", DefaultValueFactory = _ => Defaults.ShoulderSigma };
    public readonly Option<int> CrossCovarianceWindow = new("--crosscov-window") { Description = "Trailing window (iterations) of the slack-channel cross-covariance; 0: off", DefaultValueFactory = _ => Defaults.CrossCovarianceWindow };
    public readonly Option<int> CrossCovarianceEvery = new("--crosscov-every") { Description = "Read the cross-covariance every k iterations", DefaultValueFactory = _ => Defaults.CrossCovarianceEvery };
    public readonly Option<int?> GridPoints = new("--grid-points") { Description = "Quadrature points per dimension (default 512 in 1-D, 64 in 2-D)" };
    public readonly Option<int> ImportanceSamples = new("--is-samples") { Description = "Draws of the importance-sampling normaliser (energy models, d > 2)", DefaultValueFactory = _ => Defaults.ImportanceSamples };
    public readonly Option<double> ProposalWiden = new("--proposal-widen") { Description = "Widening of the importance proposal: standard deviations x (1 + (widen - 1)/sqrt(d))", DefaultValueFactory = _ => Defaults.ProposalWiden };
    public readonly Option<string> Precision = new("--precision") { Description = "float32 or float64", DefaultValueFactory = _ => Choice.Name(Defaults.Precision) };
    public readonly Option<int> Threads;
    public readonly Option<bool> Json = new("--json") { Description = "Print the results as JSON on stdout (progress goes to stderr)" };
    public readonly Option<string?> Out = new("--out") { Description = "Output folder: created by the command; an existing non-empty folder is refused (default: a new folder under runs/)" };
    public readonly Option<bool> Overwrite = new("--overwrite") { Description = "Replace --out if it is a folder icnn-lift wrote (never any other folder)" };

    /// <summary>Adds the options; <paramref name="dataAndTask"/> false leaves out where the data come from and
    /// which model is trained (for commands that decide those themselves).</summary>
    public void AddTo(Command command, bool dataAndTask = true)
    {
        Option[] dataOptions = [Task, Blocks, LogDet, Probes, Target, Data, Uci, UciFolder, TrainSize, ValidationSize, TestSize];
        Option[] training = [Steps, BatchSize, LearningRate, Optimizer, InitialLevel, HyperLearningRate, EvalEvery, Width, Depth, Activation, Alpha, Init, Base, HeadScale,
            ConditioningSize, ShoulderSigma, CrossCovarianceWindow, CrossCovarianceEvery, GridPoints, ImportanceSamples, ProposalWiden, Precision, Threads, Json, Out, Overwrite];
        foreach (var option in (dataAndTask ? dataOptions : []).Concat(training))
            command.Options.Add(option);
    }

    public TrainConfig Config(ParseResult p, PositivityMethod method, int seed) => new()
    {
        Task = Choice.Parse<DensityTask>(ValueOr(p, Task, Choice.Name(Defaults.Task)), "task"),
        Blocks = ValueOr(p, Blocks, Defaults.Blocks),
        Flow = Defaults.Flow with { LogDet = Choice.Parse<LogDetMethod>(ValueOr(p, LogDet, Choice.Name(Defaults.Flow.LogDet)), "log-determinant"), Probes = ValueOr(p, Probes, Defaults.Flow.Probes) },
        Method = method,
        Seed = seed,
        Steps = p.GetValue(Steps),
        BatchSize = p.GetValue(BatchSize),
        LearningRate = p.GetValue(LearningRate),
        Optimizer = Choice.Parse<OptimizerKind>(p.GetValue(Optimizer)!, "optimizer"),
        InitialLevel = p.GetValue(InitialLevel),
        HypernetworkLearningRate = p.GetValue(HyperLearningRate),
        EvalEvery = p.GetValue(EvalEvery),
        Width = p.GetValue(Width),
        Depth = p.GetValue(Depth),
        Activation = Convex.Activation.Parse(p.GetValue(Activation)!),
        Alpha = p.GetValue(Alpha),
        Initialization = Initialization.Parse(p.GetValue(Init)!),
        Base = Choice.Parse<EnergyBase>(p.GetValue(Base)!, "base"),
        Lift = new LiftOptions(HeadScale: p.GetValue(HeadScale), ConditioningSize: p.GetValue(ConditioningSize)),
        ShoulderSigma = p.GetValue(ShoulderSigma),
        CrossCovarianceWindow = p.GetValue(CrossCovarianceWindow),
        CrossCovarianceEvery = p.GetValue(CrossCovarianceEvery),
        GridPoints = p.GetValue(GridPoints),
        ImportanceSamples = p.GetValue(ImportanceSamples),
        ProposalWiden = p.GetValue(ProposalWiden),
        Precision = Choice.Parse<NumericPrecision>(p.GetValue(Precision)!, "precision"),
    };

    /// <summary>The option's value, or <paramref name="fallback"/> where the command does not offer the option.</summary>
    private static T ValueOr<T>(ParseResult p, Option<T> option, T fallback) =>
        p.CommandResult.Command.Options.Contains(option) ? p.GetValue(option)! : fallback;

    /// <summary>Where the samples come from: a known target or the user's file; checked before any run starts.</summary>
    public DataSource Source(ParseResult p)
    {
        var target = p.GetValue(Target);
        var data = p.GetValue(Data);
        var uci = p.GetValue(Uci);
        if (new[] { target, data, uci }.Count(v => v is not null) != 1)
            throw new ArgumentException("give exactly one of --target NAME, --data FILE.csv and --uci NAME");
        if (uci is not null && !UciTabular.Names.Contains(uci))
            throw new ArgumentException($"unknown UCI set '{uci}' ({string.Join(", ", UciTabular.Names)})");
        var source = new DataSource(target is null ? null : IcnnLift.Targets.Target.Get(target).Name, data is null ? null : Path.GetFullPath(data),
            p.GetValue(TrainSize), p.GetValue(ValidationSize), p.GetValue(TestSize), uci, Path.GetFullPath(p.GetValue(UciFolder)!));
        return source.Checked(singlePrecision: Choice.Parse<NumericPrecision>(p.GetValue(Precision)!, "precision") == NumericPrecision.Float32);
    }

    /// <summary>--out, checked against the output contract (<see cref="OutputFolder.Check"/>); without it a new folder
    /// runs/NAME (or runs/NAME-2, ...). Returns the full path.</summary>
    public string Output(ParseResult p, string defaultName) =>
        OutputFolder.Check(p.GetValue(Out) ?? OutputFolder.NextFree(Path.Combine("runs", defaultName)), p.GetValue(Overwrite));

    /// <summary>--threads, checked.</summary>
    public int ThreadCount(ParseResult p)
    {
        int threads = p.GetValue(Threads);
        return threads >= 1 ? threads : throw new ArgumentException($"--threads must be positive, got {threads}");
    }
}

/// <summary>--methods of the commands that compare methods.</summary>
internal sealed class MethodsOption(string defaultMethods)
{
    public readonly Option<string> Option = new("--methods")
    {
        Description = $"Comma-separated methods ({string.Join(", ", PositivityMethods.Names)})",
        DefaultValueFactory = _ => defaultMethods,
    };

    /// <summary>The methods, parsed and checked, each once.</summary>
    public List<PositivityMethod> List(ParseResult p)
    {
        var methods = UserInput.Check(() => p.GetValue(Option)!.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(PositivityMethods.Parse).Distinct().ToList());
        return methods.Count > 0 ? methods : throw new InputException("--methods names no method");
    }
}

/// <summary>--seeds and --first-seed of the multi-seed commands.</summary>
internal sealed class SeedOptions(int defaultSeeds)
{
    private readonly Option<int> _seeds = new("--seeds") { Description = "Number of seeds", DefaultValueFactory = _ => defaultSeeds };
    private readonly Option<int> _first = new("--first-seed") { Description = "First seed", DefaultValueFactory = _ => 0 };

    public void AddTo(Command command)
    {
        command.Options.Add(_seeds);
        command.Options.Add(_first);
    }

    /// <summary>The seeds, checked.</summary>
    public List<int> List(ParseResult p)
    {
        int n = p.GetValue(_seeds), first = p.GetValue(_first);
        if (n < 1) throw new InputException($"--seeds must be positive, got {n}");
        if (first < 0) throw new InputException($"--first-seed must be non-negative, got {first}");
        if (first > int.MaxValue - (n - 1))
            throw new InputException($"--first-seed {first} with --seeds {n} passes the largest seed, {int.MaxValue}");
        return Enumerable.Range(first, n).ToList();
    }
}
