using System.CommandLine;
using IcnnLift.Convex;
using IcnnLift.Flows;
using IcnnLift.Positivity;
using IcnnLift.Runtime;

namespace IcnnLift.Cli;

/// <summary>The options every training command shares, and how they become a <see cref="TrainConfig"/> and data.</summary>
internal sealed class CommonOptions
{
    private static readonly TrainConfig Defaults = new();

    /// <param name="threadsHelp">What --threads means for the command.</param>
    /// <param name="defaultThreads">Its default.</param>
    public CommonOptions(string threadsHelp, int defaultThreads) => Threads = Options.Valued("--threads", threadsHelp, defaultThreads);

    public readonly Option<string?> Preset = Options.Plain<string?>("--preset",
        "A named configuration of the network and its optimisation (cpflow-toy, cpflow-tabular; see the README); options given override it");
    public readonly Option<string> Task = Options.Valued("--task",
        "Density model: ebm (log-concave energy; quadrature normaliser for d <= 2, importance sampling above) or flow (convex-potential flow)",
        Choice.Name(Defaults.Task));
    public readonly Option<int> Blocks = Options.Valued("--blocks", "Blocks of a flow", Defaults.Blocks);
    public readonly Option<string> LogDet = Options.Valued("--logdet",
        "Flow log-determinant: exact (closed-form Hessian) or stochastic (Hutchinson + CG for training, Lanczos for evaluation)",
        Choice.Name(Defaults.Flow.LogDet));
    public readonly Option<int> Probes = Options.Valued("--probes",
        "Probe vectors per sample for the stochastic log-determinant's training surrogate", Defaults.Flow.Probes);
    public readonly Option<string?> Target = Options.Plain<string?>("--target", $"Known target: {string.Join(", ", IcnnLift.Targets.Target.Names)}");
    public readonly Option<string?> Data = Options.Plain<string?>("--data", "CSV file of samples (one row a sample; optional header), split 80/10/10 by seed");
    public readonly Option<string?> Uci = Options.Plain<string?>("--uci",
        "UCI set in its original files: power (data.npy) or hepmass (1000_train.csv, 1000_test.csv)");
    public readonly Option<string> UciFolder = Options.Valued("--data-dir",
        "Folder with the UCI files (or with power/ and hepmass/ subfolders)", Path.Combine("data", "uci"));
    public readonly Option<int> TrainSize = Options.Valued("--n-train", "Training samples drawn from a target", 1000);
    public readonly Option<int> ValidationSize = Options.Valued("--n-validation", "Validation samples drawn from a target", 1000);
    public readonly Option<int> TestSize = Options.Valued("--n-test", "Test samples drawn from a target", 5000);
    public readonly Option<int> Steps = Options.Valued("--steps", "Optimiser steps", Defaults.Steps);
    public readonly Option<int> BatchSize = Options.Valued("--batch-size", "Mini-batch size (also the lift's conditioning batch)", Defaults.BatchSize);
    public readonly Option<double> LearningRate = Options.Valued("--lr", "Learning rate", Defaults.LearningRate);
    public readonly Option<string> Optimizer = Options.Valued("--optimizer", "adam, or sgd (momentum 0.9)", Choice.Name(Defaults.Optimizer));
    public readonly Option<string> Schedule = Options.Valued("--lr-schedule", "constant, cosine (to 0), or step:N[:gamma] (x gamma every N steps)", "constant");
    public readonly Option<double?> InitialLevel = Options.Plain<double?>("--init-level",
        "Start every constrained weight at softplus(level + 0.5 z): how deep in the softplus shoulder training starts");
    public readonly Option<double?> HyperLearningRate = Options.Plain<double?>("--hyper-lr", "Learning rate of the lift's hypernetwork (default: --lr)");
    public readonly Option<int> EvalEvery = Options.Valued("--eval-every", "Validate every k steps", Defaults.EvalEvery);
    public readonly Option<int> Width = Options.Valued("--width", "Hidden width of the ICNN", Defaults.Width);
    public readonly Option<int> Depth = Options.Valued("--depth", "Hidden layers of the ICNN", Defaults.Depth);
    public readonly Option<string> Activation = Options.Valued("--activation",
        "softplus, relu, leaky_relu[:slope], elu[:scale], gaussian_softplus", Defaults.Activation.ToString());
    public readonly Option<double> Alpha = Options.Valued("--alpha", "Strong-convexity weight alpha of (alpha/2)|x|^2", Defaults.Alpha);
    public readonly Option<bool> SymmetricInit = Options.Plain<bool>("--symmetric-init", "Start every constrained weight at one value, for every seed");
    public readonly Option<double> BaseScale = Options.Valued("--base-scale", "Flows: standard deviation of the Gaussian base", Defaults.Flow.BaseScale);
    public readonly Option<string> Init = Options.Valued("--init",
        "Initialisation: default or principled (Hoedt & Klambauer 2023)", Choice.Name(Defaults.Initialization));
    public readonly Option<string> Base = Options.Valued("--base",
        "Energy models: gaussian adds the training data's Gaussian energy (fixed) to the network; none", Choice.Name(Defaults.Base));
    public readonly Option<double> HeadScale = Options.Valued("--head-scale",
        "Initial scale of the lift's head (0: exact fair start)", Defaults.Lift.HeadScale);
    public readonly Option<string> Hypernetwork = Options.Valued("--hypernetwork",
        "The lift's hypernetwork: small (encoder 32, decoder 8) or paper (encoder 256, decoder 128: about 1e6 parameters)", "small");
    public readonly Option<int?> EncoderWidth = Options.Plain<int?>("--encoder-width", "Width of the lift's encoder (default: the preset's)");
    public readonly Option<int?> DecoderWidth = Options.Plain<int?>("--decoder-width",
        "Width of the lift's decoder, the rank of its batch noise (default: the preset's)");
    public readonly Option<int> NoiseBatches = Options.Valued("--noise-batches",
        "Fresh batches the lift family's batch noise is measured over at each validation; 0: off", Defaults.NoiseBatches);
    public readonly Option<int?> ConditioningSize = Options.Plain<int?>("--conditioning-size", "Rows of the batch the lift's hypernetwork sees (default: all)");
    public readonly Option<double> ShoulderSigma = Options.Valued("--shoulder",
        "Shoulder level sigma_s: a coordinate is in the shoulder when softplus'(t) < sigma_s", Defaults.ShoulderSigma);
    public readonly Option<int> CrossCovarianceWindow = Options.Valued("--crosscov-window",
        "Trailing window (iterations) of the slack-channel cross-covariance; 0: off", Defaults.CrossCovarianceWindow);
    public readonly Option<int> CrossCovarianceEvery = Options.Valued("--crosscov-every",
        "Read the cross-covariance every k iterations", Defaults.CrossCovarianceEvery);
    public readonly Option<int?> GridPoints = Options.Plain<int?>("--grid-points", "Quadrature points per dimension (default 512 in 1-D, 64 in 2-D)");
    public readonly Option<int> ImportanceSamples = Options.Valued("--is-samples",
        "Draws of the importance-sampling normaliser (energy models, d > 2)", Defaults.ImportanceSamples);
    public readonly Option<double> ProposalWiden = Options.Valued("--proposal-widen",
        "Widening of the importance proposal: standard deviations x (1 + (widen - 1)/sqrt(d))", Defaults.ProposalWiden);
    public readonly Option<string> Precision = Options.Valued("--precision", "float32 or float64", Choice.Name(Defaults.Precision));
    public readonly Option<int> Threads;
    public readonly Option<string> Device = Options.Valued("--device", "cpu, or cuda (needs TorchSharp's CUDA build; untested)", "cpu");
    public readonly Option<bool> Json = Options.Plain<bool>("--json", "Print the results as JSON on stdout (progress goes to stderr)");
    public readonly Option<string?> Out = Options.Plain<string?>("--out",
        "Output folder: created by the command; an existing non-empty folder is refused (default: a new folder under runs/)");
    public readonly Option<bool> Overwrite = Options.Plain<bool>("--overwrite", "Replace --out if it is a folder icnn-lift wrote (never any other folder)");

    /// <summary>Adds the options; <paramref name="dataAndTask"/> false leaves out where the data come from and
    /// which model is trained (for commands that decide those themselves).</summary>
    public void AddTo(Command command, bool dataAndTask = true)
    {
        Option[] data = [Preset, Target, Data, Uci, UciFolder, TrainSize, ValidationSize, TestSize], task = [Task, Blocks, LogDet, Probes, BaseScale];
        Option[] model = [Width, Depth, Activation, Alpha, SymmetricInit, Init, Base, GridPoints, ImportanceSamples, ProposalWiden, Precision];
        Option[] optimisation = [Steps, BatchSize, LearningRate, Optimizer, Schedule, InitialLevel, EvalEvery, Device, Threads];
        Option[] lift = [HyperLearningRate, HeadScale, Hypernetwork, EncoderWidth, DecoderWidth, ConditioningSize];
        Option[] diagnostics = [NoiseBatches, ShoulderSigma, CrossCovarianceWindow, CrossCovarianceEvery];
        Option[] output = [Json, Out, Overwrite];
        foreach (var (section, options) in new[] { ("Data", data), ("Model", [.. task, .. model]), ("Optimisation", optimisation), ("Lift", lift),
            ("Diagnostics", diagnostics), ("Output", output) })
            GroupedHelp.Add(section, options);
        foreach (var option in (dataAndTask ? data.Concat(task) : []).Concat([.. model, .. optimisation, .. lift, .. diagnostics, .. output]))
            command.Options.Add(option);
    }

    /// <summary>The run's configuration: the preset's (or the defaults), with every option the user gave.</summary>
    public TrainConfig Config(ParseResult p, PositivityMethod method, int seed)
    {
        var d = PresetOf(p)?.Config ?? Defaults;
        T Or<T>(Option<T> option, T preset) => Given(p, option) ? p.GetValue(option)! : preset;
        T Parsed<T>(Option<string> option, T preset, Func<string, T> parse) => Given(p, option) ? parse(p.GetValue(option)!) : preset;
        return d with
        {
            Task = Parsed(Task, d.Task, t => Choice.Parse<DensityTask>(t, "task")),
            Blocks = Or(Blocks, d.Blocks),
            Flow = d.Flow with
            {
                LogDet = Parsed(LogDet, d.Flow.LogDet, t => Choice.Parse<LogDetMethod>(t, "log-determinant")),
                Probes = Or(Probes, d.Flow.Probes), BaseScale = Or(BaseScale, d.Flow.BaseScale),
            },
            Method = method, Seed = seed,
            Steps = Or(Steps, d.Steps), BatchSize = Or(BatchSize, d.BatchSize), LearningRate = Or(LearningRate, d.LearningRate),
            Optimizer = Choice.Parse<OptimizerKind>(p.GetValue(Optimizer)!, "optimizer"),
            Schedule = Parsed(Schedule, d.Schedule, LearningRateSchedule.Parse),
            InitialLevel = p.GetValue(InitialLevel), HypernetworkLearningRate = p.GetValue(HyperLearningRate),
            EvalEvery = Or(EvalEvery, d.EvalEvery), Width = Or(Width, d.Width), Depth = Or(Depth, d.Depth),
            Activation = Parsed(Activation, d.Activation, Convex.Activation.Parse),
            Alpha = Or(Alpha, d.Alpha),
            SymmetricInit = p.GetValue(SymmetricInit),
            Initialization = Initialization.Parse(p.GetValue(Init)!), Base = Choice.Parse<EnergyBase>(p.GetValue(Base)!, "base"),
            Lift = Lift(p),
            NoiseBatches = p.GetValue(NoiseBatches), ShoulderSigma = p.GetValue(ShoulderSigma),
            CrossCovarianceWindow = p.GetValue(CrossCovarianceWindow), CrossCovarianceEvery = p.GetValue(CrossCovarianceEvery),
            GridPoints = p.GetValue(GridPoints), ImportanceSamples = p.GetValue(ImportanceSamples), ProposalWiden = p.GetValue(ProposalWiden),
            Precision = Parsed(Precision, d.Precision, t => Choice.Parse<NumericPrecision>(t, "precision")),
            Device = TorchRuntime.CheckAvailable(Choice.Parse<ComputeDevice>(p.GetValue(Device)!, "device")),
        };
    }

    private (TrainConfig Config, int? TrainSize)? PresetOf(ParseResult p) =>
        ValueOr(p, Preset, null) is { } name ? Presets.Of(Choice.Parse<Preset>(name, "preset")) : null;

    /// <summary>Whether the user gave <paramref name="option"/> (rather than its default) on a command that offers it.</summary>
    private static bool Given(ParseResult p, Option option) => p.GetResult(option) is { Implicit: false };

    /// <summary>The hypernetwork: a preset, its widths overridden where given.</summary>
    private LiftOptions Lift(ParseResult p)
    {
        var preset = LiftOptions.Preset(Choice.Parse<HypernetworkSize>(p.GetValue(Hypernetwork)!, "hypernetwork preset"));
        return preset with
        {
            EncoderWidth = p.GetValue(EncoderWidth) ?? preset.EncoderWidth,
            DecoderWidth = p.GetValue(DecoderWidth) ?? preset.DecoderWidth,
            HeadScale = p.GetValue(HeadScale),
            ConditioningSize = p.GetValue(ConditioningSize),
        };
    }

    /// <summary>The option's value, or <paramref name="fallback"/> where the command does not offer the option.</summary>
    private static T ValueOr<T>(ParseResult p, Option<T> option, T fallback) =>
        p.CommandResult.Command.Options.Contains(option) ? p.GetValue(option)! : fallback;

    /// <summary>Where the samples come from: a known target or the user's file; checked before any run starts.</summary>
    public DataSource Source(ParseResult p)
    {
        var (target, data, uci, preset) = (p.GetValue(Target), p.GetValue(Data), p.GetValue(Uci), PresetOf(p));
        if (new[] { target, data, uci }.Count(v => v is not null) != 1)
            throw new ArgumentException("give exactly one of --target NAME, --data FILE.csv and --uci NAME");
        if (uci is not null && !UciTabular.Names.Contains(uci))
            throw new ArgumentException($"unknown UCI set '{uci}' ({string.Join(", ", UciTabular.Names)})");
        var source = new DataSource(target is null ? null : IcnnLift.Targets.Target.Get(target).Name, data is null ? null : Path.GetFullPath(data),
            Given(p, TrainSize) ? p.GetValue(TrainSize) : preset?.TrainSize ?? p.GetValue(TrainSize), p.GetValue(ValidationSize), p.GetValue(TestSize),
            uci, Path.GetFullPath(p.GetValue(UciFolder)!));
        var precision = Given(p, Precision) ? Choice.Parse<NumericPrecision>(p.GetValue(Precision)!, "precision") : (preset?.Config ?? Defaults).Precision;
        return source.Checked(singlePrecision: precision == NumericPrecision.Float32);
    }

    /// <summary>--out, checked against the output contract (<see cref="OutputFolder.Check"/>); without it a new folder
    /// runs/NAME (or runs/NAME-2, ...). Returns the full path.</summary>
    public string Output(ParseResult p, string defaultName) =>
        OutputFolder.Check(p.GetValue(Out) ?? OutputFolder.NextFree(Path.Combine("runs", defaultName)), p.GetValue(Overwrite));

    /// <summary>--threads, checked.</summary>
    public int ThreadCount(ParseResult p) => p.GetValue(Threads) is var n && n >= 1 ? n : throw new ArgumentException($"--threads must be positive, got {n}");
}

/// <summary>Options in one line each: a name, what it means, and its default where it has one.</summary>
internal static class Options
{
    public static Option<T> Valued<T>(string name, string description, T defaultValue) =>
        new(name) { Description = description, DefaultValueFactory = _ => defaultValue };

    public static Option<T> Plain<T>(string name, string description) => new(name) { Description = description };

    public static Option<string> Required(string name, string description) => new(name) { Description = description, Required = true };

    /// <summary>A comma-separated list of numbers; a bad entry names the option.</summary>
    public static List<T> Numbers<T>(string text, string option, Func<string, T> parse)
    {
        var items = text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        if (items.Length == 0) throw new InputException($"{option}: no values");
        return items.Select(s =>
        {
            try { return parse(s); }
            catch (FormatException) { throw new InputException($"{option}: '{s}' is not a number"); }
            catch (OverflowException) { throw new InputException($"{option}: '{s}' is out of range"); }
        }).ToList();
    }
}

/// <summary>--methods of the commands that compare methods.</summary>
internal sealed class MethodsOption(string defaultMethods)
{
    public readonly Option<string> Option = Options.Valued("--methods", $"Comma-separated: {string.Join(", ", PositivityMethods.Names)}", defaultMethods);

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

    public void AddTo(Command command) => Array.ForEach([_seeds, _first], command.Options.Add);

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
