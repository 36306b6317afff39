using System.Globalization;
using IcnnLift.Data;
using IcnnLift.Positivity;
using IcnnLift.Training;

namespace IcnnLift.Studies.Reproduction;

/// <summary>What a planned run is for: the claim's evaluation, choosing a learning rate, or evaluation at the chosen one.</summary>
public enum RunRole
{
    /// <summary>Evaluated as configured (the paper's protocol: one shared learning rate).</summary>
    Evaluation,
    /// <summary>A tuning run: one candidate learning rate on a tuning seed (never an evaluation seed); judged on validation only.</summary>
    Tuning,
    /// <summary>Evaluated at the learning rates its method's tuning runs chose.</summary>
    Tuned,
}

/// <summary>
/// The tuned protocol: each method gets its own learning rate, and a method with a hypernetwork its own hypernetwork
/// learning rate, from a grid, chosen by the median best validation NLL over tuning seeds disjoint from the evaluation
/// seeds. Same budget per candidate; the test split is never read to choose. Group names: "GROUP+tune-CANDIDATE" for
/// tuning runs, "GROUP+tuned" for the runs at the chosen rates.
/// </summary>
public sealed record Tuning(double[] LearningRates, int[] Seeds)
{
    public const string TunedSuffix = "+tuned";

    /// <summary>The candidates for a method: each learning rate, and for a hypernetwork each pair of rates.</summary>
    public IEnumerable<TrainConfig> Candidates(TrainConfig config) => PositivityMethods.HasHypernetwork(config.Method)
        ? from lr in LearningRates from h in LearningRates select config with { LearningRate = lr, HypernetworkLearningRate = h }
        : LearningRates.Select(lr => config with { LearningRate = lr });

    /// <summary>Checks the grid and the seeds; the message names the option (<c>--tune-lr</c>, <c>--tune-seeds</c>).</summary>
    public Tuning Validated(IEnumerable<int> evaluationSeeds)
    {
        if (LearningRates.Length == 0) throw new InputException("--tune-lr: no learning rates");
        foreach (var rate in LearningRates)
            if (!(rate > 0) || double.IsInfinity(rate))
                throw new InputException(FormattableString.Invariant($"--tune-lr: every learning rate must be a positive number, got {rate}"));
        if (Seeds.Length == 0) throw new InputException("--tune-seeds: no seeds");
        if (Seeds.Any(s => s < 0)) throw new InputException($"--tune-seeds: seeds must be non-negative, got {Seeds.Min()}");
        var shared = Seeds.Intersect(evaluationSeeds).Order().ToList();
        if (shared.Count > 0)
            throw new InputException($"--tune-seeds: seed {shared[0]} is also an evaluation seed; tuning on it would choose on the data it is judged on");
        return this;
    }

    /// <summary>Candidates ranked by the median of their runs' best validation NLLs, lowest first (a diverged run counts as
    /// the worst; ties go to the candidates' order).</summary>
    public static IReadOnlyList<(TrainConfig Candidate, double MedianValidationNll)> Rank(
        IEnumerable<(TrainConfig Candidate, IEnumerable<double> ValidationNlls)> candidates) =>
        candidates
            .Select((c, order) => (Order: order, c.Candidate,
                Median: MathNet.Numerics.Statistics.Statistics.Median(c.ValidationNlls.Select(v => double.IsFinite(v) ? v : double.MaxValue))))
            .OrderBy(x => x.Median).ThenBy(x => x.Order)
            .Select(x => (x.Candidate, x.Median)).ToList();

    public static string Label(TrainConfig c) =>
        FormattableString.Invariant($"lr{c.LearningRate}") + (c.HypernetworkLearningRate is double h ? FormattableString.Invariant($"-hlr{h}") : "");

    /// <summary>A group's tuning runs for <paramref name="config"/>'s method: every candidate on every tuning seed.</summary>
    public IEnumerable<PlannedRun> Plan(string group, DataSource data, TrainConfig config, Func<TrainConfig, TrainConfig> scale) =>
        Candidates(config).SelectMany(c => Seeds.Select(s =>
            new PlannedRun($"{group}+tune-{Label(c)}", data, scale(c with { Seed = s }), RunRole.Tuning, group)));

    /// <summary>The tuning runs of <paramref name="run"/>'s group and method, by candidate, each candidate's median best
    /// validation NLL; the chosen one first (lowest median, the grid's order breaking ties). Null while any is unfinished.</summary>
    public static IReadOnlyList<(TrainConfig Candidate, double MedianValidationNll)>? Ranking(string folder, IReadOnlyList<PlannedRun> plan, PlannedRun run)
    {
        var candidates = plan.Where(r => r.Role == RunRole.Tuning && r.Basis == run.Basis && r.Config.Method == run.Config.Method)
            .GroupBy(r => r.Group).ToList();
        if (candidates.Count == 0) throw new InvalidOperationException($"no tuning runs for {run.Key}");
        if (candidates.SelectMany(g => g).Any(r => !Reproduction.Sweep.Finished(folder, r))) return null;
        return Rank(candidates.Select(g => (g.First().Config,
            g.Select(r => RunFolder.LoadResult(Reproduction.Sweep.RunPath(folder, r)).BestValidationNll))));
    }

    /// <summary><paramref name="run"/> at its method's chosen rates, or null while its tuning runs are unfinished.</summary>
    public static PlannedRun? Resolve(string folder, IReadOnlyList<PlannedRun> plan, PlannedRun run) =>
        Ranking(folder, plan, run) is { } ranking
            ? run with { Config = At(run.Config, ranking[0].Candidate.LearningRate, ranking[0].Candidate.HypernetworkLearningRate) }
            : null;

    /// <summary><paramref name="config"/> at chosen rates.</summary>
    public static TrainConfig At(TrainConfig config, double learningRate, double? hypernetworkLearningRate) =>
        config with { LearningRate = learningRate, HypernetworkLearningRate = hypernetworkLearningRate };

    internal static string Rate(double? v) => v is double d ? d.ToString("G3", CultureInfo.InvariantCulture) : "-";
}
