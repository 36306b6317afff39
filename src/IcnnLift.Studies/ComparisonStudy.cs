using System.Globalization;
using System.Text.Json;
using IcnnLift.Data;
using IcnnLift.Density;
using IcnnLift.Positivity;
using IcnnLift.Studies.Figures;
using IcnnLift.Training;

namespace IcnnLift.Studies;

/// <summary>What a comparison wrote and found: its results, the per-method summary, the paired wins on each metric, the
/// runs that failed (with keep-going), and whether it drew the fitted densities (d &lt;= 2).</summary>
public sealed record ComparisonOutcome(string Folder, IReadOnlyList<RunResult> Results, IReadOnlyList<MethodSummary> Summary,
    IReadOnlyList<PairedWins> Paired, IReadOnlyList<string> Metrics, IReadOnlyList<JobFailure> Failures, bool Densities,
    IReadOnlyList<TunedRates>? Rates = null);

/// <summary>The rates a method's tuning runs chose (<see cref="Reproduction.Tuning"/>), with their median best validation NLL.</summary>
public sealed record TunedRates(string Method, double LearningRate, double? HypernetworkLearningRate, double MedianValidationNll, int Candidates);

/// <summary>Several methods x several seeds on one data set (the same data, initial network and batches per seed):
/// the runs, runs.csv, summary.csv and summary.json, and the figures (occupancy, cross-covariance, batch noise, fitted densities).</summary>
public static class ComparisonStudy
{
    /// <summary>How a comparison treats its output folder and a failed run, and, with <paramref name="Tuning"/>, the tuned
    /// protocol: each method first runs every candidate rate on the tuning seeds, then the evaluation seeds at its best.</summary>
    public sealed record Options(bool Overwrite = false, bool KeepGoing = false, Reproduction.Tuning? Tuning = null);

    /// <summary>Runs every method on every seed and writes the comparison's folder atomically (<see cref="OutputFolder"/>).
    /// <paramref name="addTo"/> writes a study's own files into the folder before it is renamed into place.</summary>
    public static ComparisonOutcome Run(IStudyHost host, DataSource source, IReadOnlyList<PositivityMethod> methods,
        IReadOnlyList<int> seeds, Func<PositivityMethod, int, TrainConfig> configFor, int threads, string output, Options options,
        Action<string, IReadOnlyList<RunResult>>? addTo = null)
    {
        var jobs = methods.SelectMany(m => seeds.Select(s => (Method: m, Seed: s))).ToList();
        var datasets = UserInput.Check(() => seeds.ToDictionary(s => s, source.ForSeed));
        var configs = UserInput.Check(() => jobs.Select(j => configFor(j.Method, j.Seed).Validated(datasets[j.Seed].Dimension)).ToList());
        var tuning = options.Tuning?.Validated(seeds);
        var tuningConfigs = tuning is null ? [] : UserInput.Check(() => methods.SelectMany(m => tuning.Candidates(configFor(m, 0)))
            .SelectMany(c => tuning.Seeds.Select(s => (c with { Seed = s }).Validated(datasets[seeds[0]].Dimension))).ToList());
        IReadOnlyList<TunedRates>? rates = null;

        List<SavedRun> models = [];
        List<RunResult> results = [];
        IReadOnlyList<MethodSummary> summary = [];
        IReadOnlyList<PairedWins> paired = [];
        IReadOnlyList<string> metrics = [];
        IReadOnlyList<JobFailure> failures;
        using (var claimed = OutputFolder.Claim(output, options.Overwrite))
        {
            var folder = claimed.Staging;
            if (tuning is not null)
            {
                rates = Tune(host, source, methods, tuningConfigs, Path.Combine(folder, "tuning"), threads);
                var chosen = rates.ToDictionary(r => r.Method);
                configs = configs.Select(c => Reproduction.Tuning.At(c, chosen[c.MethodName].LearningRate,
                    chosen[c.MethodName].HypernetworkLearningRate)).ToList();
            }
            var outcome = host.Runs.RunAll($"{source.Name}: {methods.Count} methods x {seeds.Count} seeds",
                configs.Select(c => new JobSpec(c, source, Path.Combine(folder, "runs", $"{c.MethodName}-seed{c.Seed}"))).ToList(), threads,
                keepGoing: options.KeepGoing);
            var specs = outcome.Finished;
            failures = outcome.Failed;
            if (specs.Count == 0)
            {
                foreach (var f in failures) host.Say($"failed: {f.Message}");
                throw new JobFailedException($"every run failed; nothing was written to {output}", failures[0].ExitCode);
            }
            Runtime.TorchRuntime.Initialize(1);
            models = specs.Select(s => RunFolder.Load(s.Output)).ToList();
            results = models.Select(m => m.Result).ToList();
            var names = methods.Select(Choice.Name).ToList();
            summary = Comparison.Summarize(results, names);
            metrics = Comparison.Metrics(results);
            paired = metrics.SelectMany(m => Comparison.Paired(results, names, m)).ToList();
            WriteRunsCsv(Path.Combine(folder, "runs.csv"), results);
            WriteSummaryCsv(Path.Combine(folder, "summary.csv"), summary);
            File.WriteAllText(Path.Combine(folder, "summary.json"), JsonSerializer.Serialize(new
            {
                data = source,
                methods = names,
                seeds,
                summary,
                paired,
                tuned_rates = rates,
                failed = failures.Select(f => new { method = f.Job.Config.MethodName, seed = f.Job.Config.Seed, message = f.Message }),
            }, RunFolder.Json));
            void Curves(string metric, string file, string yLabel, string what)
            {
                var curves = methods.ToDictionary(Choice.Name, m => (IReadOnlyList<double[]>)specs.Where(j => j.Config.Method == m)
                    .Select(j => RunFolder.LoadMetric(j.Output, metric)).ToList())
                    .Where(kv => kv.Value.Any(c => c.Any(v => !double.IsNaN(v)))).ToDictionary(kv => kv.Key, kv => kv.Value);
                if (curves.Count > 0) IterationFigure.Save(Path.Combine(folder, file), curves, yLabel, $"{source.Name}: {what}");
            }
            double sigma = configs[0].ShoulderSigma;
            Curves("shoulder_occupancy", "occupancy.png", FormattableString.Invariant($"fraction of coordinates with softplus'(t) < {sigma}"),
                "softplus-shoulder occupancy");
            Curves("cross_covariance", "crosscov.png", $"||Sigma||_F, trailing window of {configs[0].CrossCovarianceWindow} iterations",
                "slack-channel cross-covariance");
            Curves("batch_noise_median", "batchnoise.png", "median over coordinates of the sd of h_phi(X) across fresh batches",
                "batch noise of the lift's body (at validation steps)");
            if (datasets[seeds[0]].Dimension <= 2)
            {
                var first = configs[0];
                var grid = QuadratureNormalizer.Covering(Rows.ToTensor(datasets[seeds[0]].Train, first.DType), first.GridMargin, first.GridPoints);
                var points = grid.Grid(first.DType);
                var fits = models.Select(m => new FittedDensity(m.Result.Method, m.Result.Seed, grid, m.Model.LogDensityValues(points))).ToList();
                DensityFigure.Save(Path.Combine(folder, "densities.png"), fits, source.Target, datasets[seeds[0]].Train,
                    $"{source.Name}: fitted densities, {seeds.Count} seeds");
            }
            addTo?.Invoke(folder, results);
            claimed.Commit();
        }
        foreach (var m in models) m.Model.Module.Dispose();
        return new ComparisonOutcome(output, results, summary, paired, metrics, failures, datasets[seeds[0]].Dimension <= 2, rates);
    }

    /// <summary>Runs every candidate on the tuning seeds into <paramref name="folder"/> (tuning.csv beside the runs) and
    /// chooses each method's rates by the median best validation NLL (<see cref="Reproduction.Tuning.Rank"/>).</summary>
    private static IReadOnlyList<TunedRates> Tune(IStudyHost host, DataSource source, IReadOnlyList<PositivityMethod> methods,
        IReadOnlyList<TrainConfig> candidates, string folder, int threads)
    {
        var jobs = candidates.Select(c => new JobSpec(c, source, Path.Combine(folder, $"{c.MethodName}-{Reproduction.Tuning.Label(c)}-seed{c.Seed}")))
            .ToList();
        host.Runs.RunAll($"{source.Name}: tuning, {jobs.Count} runs", jobs, threads);
        var results = jobs.Select(j => (j.Config, Result: RunFolder.LoadResult(j.Output))).ToList();
        using (var w = new StreamWriter(Path.Combine(folder, "tuning.csv")))
        {
            w.WriteLine("method,learning_rate,hypernetwork_learning_rate,seed,best_validation_nll");
            foreach (var (c, r) in results)
                w.WriteLine(string.Join(",", c.MethodName, SampleCsv.Cell(c.LearningRate), SampleCsv.Cell(c.HypernetworkLearningRate),
                    c.Seed.ToString(CultureInfo.InvariantCulture), SampleCsv.Cell(r.BestValidationNll)));
        }
        return methods.Select(m =>
        {
            var ranking = Reproduction.Tuning.Rank(results.Where(x => x.Config.Method == m)
                .GroupBy(x => Reproduction.Tuning.Label(x.Config))
                .Select(g => (g.First().Config, g.Select(x => x.Result.BestValidationNll))));
            var (best, median) = ranking[0];
            return new TunedRates(Choice.Name(m), best.LearningRate, best.HypernetworkLearningRate, median, ranking.Count);
        }).ToList();
    }


    private static void WriteRunsCsv(string path, IEnumerable<RunResult> results)
    {
        using var w = new StreamWriter(path);
        w.WriteLine("method,seed,test_nll,total_variation,cross_entropy,best_validation_nll,best_step,steps_run,final_shoulder_occupancy,"
            + "mean_cross_covariance,seconds,stopped,log_z_standard_error,effective_sample_size,warning,excess_cross_entropy,near_zero_weight_share,"
            + "mode_coverage");
        foreach (var r in results)
            w.WriteLine(string.Join(",", r.Method, r.Seed.ToString(CultureInfo.InvariantCulture), SampleCsv.Cell(r.TestNll), SampleCsv.Cell(r.TotalVariation),
                SampleCsv.Cell(r.CrossEntropy), SampleCsv.Cell(r.BestValidationNll), r.BestStep.ToString(CultureInfo.InvariantCulture),
                r.StepsRun.ToString(CultureInfo.InvariantCulture), SampleCsv.Cell(r.FinalShoulderOccupancy), SampleCsv.Cell(r.MeanCrossCovariance),
                SampleCsv.Cell(r.Seconds), r.Stopped is null ? "" : "yes", SampleCsv.Cell(r.LogZStandardError), SampleCsv.Cell(r.EffectiveSampleSize),
                r.Warning is null ? "" : "low effective sample size", SampleCsv.Cell(r.ExcessCrossEntropy), SampleCsv.Cell(r.NearZeroWeightShare),
                SampleCsv.Cell(r.ModeCoverage)));
    }

    private static void WriteSummaryCsv(string path, IEnumerable<MethodSummary> summary)
    {
        using var w = new StreamWriter(path);
        w.WriteLine("method,metric,runs,q1,median,q3");
        foreach (var s in summary)
            foreach (var (name, q) in new[] { ("test_nll", s.TestNll), ("total_variation", s.TotalVariation), ("cross_entropy", s.CrossEntropy) })
                if (q is not null)
                    w.WriteLine(string.Join(",", s.Method, name, q.Count.ToString(CultureInfo.InvariantCulture), SampleCsv.Cell(q.Q1),
                        SampleCsv.Cell(q.Median), SampleCsv.Cell(q.Q3)));
    }
}
