using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using IcnnLift.Data;
using IcnnLift.Density;
using IcnnLift.Studies;
using IcnnLift.Studies.Figures;
using IcnnLift.Positivity;
using IcnnLift.Training;

namespace IcnnLift.Cli;

/// <summary><c>icnn-lift compare</c>: several methods x several seeds on one data set, summarised.</summary>
internal static class CompareCommand
{
    public static Command Create()
    {
        var common = new CommonOptions("Runs side by side, one libtorch thread each", Environment.ProcessorCount);
        var methods = new Option<string>("--methods") { Description = $"Comma-separated methods ({string.Join(", ", PositivityMethod.All)})", DefaultValueFactory = _ => "pgd,softplus,lift" };
        var seeds = new SeedOptions(5);
        var command = new Command("compare", "Compare positivity methods over seeds: table of medians and quartiles, paired wins, CSV/JSON and a figure.");
        command.Options.Add(methods);
        command.Options.Add(KeepGoing);
        seeds.AddTo(command);
        common.AddTo(command);
        command.SetAction(p =>
        {
            var seedList = seeds.List(p);
            var methodList = UserInput.Check(() => p.GetValue(methods)!.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
                .Select(PositivityMethod.Validate).Distinct().ToList());
            if (methodList.Count == 0) throw new InputException("--methods names no method");
            var (threads, source) = UserInput.Check(() => (common.ThreadCount(p), common.Source(p)));
            var output = common.Output(p, $"compare-{source.Name}");
            return Run(source, methodList, seedList, (m, s) => common.Config(p, m, s), threads, output, p.GetValue(common.Json),
                new RunOptions(p.GetValue(common.Overwrite), p.GetValue(KeepGoing)));
        });
        return command;
    }

    public static readonly Option<bool> KeepGoing = new("--keep-going") { Description = "When a run fails, finish the others and summarise those that finished (exit code 1)" };

    /// <summary>How a comparison treats its output folder and a failed run.</summary>
    public sealed record RunOptions(bool Overwrite = false, bool KeepGoing = false);

    /// <summary>Runs the comparison, writes its folder atomically and prints the summary. <paramref name="addTo"/>
    /// writes a command's own files into the folder before it is renamed into place.</summary>
    public static int Run(DataSource source, IReadOnlyList<string> methods, IReadOnlyList<int> seeds,
        Func<string, int, TrainConfig> configFor, int threads, string output, bool json, RunOptions options, Action<string, IReadOnlyList<RunResult>>? addTo = null)
    {
        var jobs = methods.SelectMany(m => seeds.Select(s => (Method: m, Seed: s))).ToList();
        var datasets = UserInput.Check(() => seeds.ToDictionary(s => s, source.ForSeed));
        var configs = UserInput.Check(() => jobs.Select(j => configFor(j.Method, j.Seed).Validated(datasets[j.Seed].Dimension)).ToList());

        List<SavedRun> models = [];
        List<RunResult> results = [];
        IReadOnlyList<MethodSummary> summary = [];
        IReadOnlyList<PairedWins> paired = [];
        IReadOnlyList<string> metrics = [];
        IReadOnlyList<JobFailure> failures;
        using (var claimed = OutputFolder.Claim(output, options.Overwrite))
        {
            var folder = claimed.Staging;
            var outcome = JobRunner.RunAll($"{source.Name}: {methods.Count} methods x {seeds.Count} seeds",
                configs.Select(c => new JobSpec(c, source, Path.Combine(folder, "runs", $"{c.Method}-seed{c.Seed}"))).ToList(), threads, keepGoing: options.KeepGoing);
            var specs = outcome.Finished;
            failures = outcome.Failed;
            if (specs.Count == 0)
            {
                Conclude(output, [], failures);
                throw new JobFailedException($"every run failed; nothing was written to {output}", failures[0].ExitCode);
            }
            Runtime.TorchRuntime.Initialize(1);
            models = specs.Select(s => RunFolder.Load(s.Output)).ToList();
            results = models.Select(m => m.Result).ToList();
            summary = Comparison.Summarize(results, methods);
            metrics = Comparison.Metrics(results);
            paired = metrics.SelectMany(m => Comparison.Paired(results, methods, m)).ToList();
            WriteRunsCsv(Path.Combine(folder, "runs.csv"), results);
            WriteSummaryCsv(Path.Combine(folder, "summary.csv"), summary);
            File.WriteAllText(Path.Combine(folder, "summary.json"), JsonSerializer.Serialize(new
            {
                data = source,
                methods,
                seeds,
                summary,
                paired,
                failed = failures.Select(f => new { method = f.Job.Config.Method, seed = f.Job.Config.Seed, message = f.Message }),
            }, RunFolder.Json));
            void Curves(string metric, string file, string yLabel, string what)
            {
                var curves = methods.ToDictionary(m => m, m => (IReadOnlyList<double[]>)specs.Where(j => j.Config.Method == m)
                    .Select(j => RunFolder.LoadMetric(j.Output, metric)).ToList())
                    .Where(kv => kv.Value.Any(c => c.Any(v => !double.IsNaN(v)))).ToDictionary(kv => kv.Key, kv => kv.Value);
                if (curves.Count > 0) IterationFigure.Save(Path.Combine(folder, file), curves, yLabel, $"{source.Name}: {what}");
            }
            double sigma = configs[0].ShoulderSigma;
            Curves("shoulder_occupancy", "occupancy.png", FormattableString.Invariant($"fraction of coordinates with softplus'(t) < {sigma}"), "softplus-shoulder occupancy");
            Curves("cross_covariance", "crosscov.png", $"||Sigma||_F, trailing window of {configs[0].CrossCovarianceWindow} iterations", "slack-channel cross-covariance");
            if (datasets[seeds[0]].Dimension <= 2)
            {
                var first = configs[0];
                var grid = QuadratureNormalizer.Covering(Trainer.ToTensor(datasets[seeds[0]].Train, first.DType), first.GridMargin, first.GridPoints);
                var points = grid.Grid(first.DType);
                var fits = models.Select(m => new FittedDensity(m.Result.Method, m.Result.Seed, grid, m.Model.LogDensityValues(points))).ToList();
                DensityFigure.Save(Path.Combine(folder, "densities.png"), fits, source.Target, datasets[seeds[0]].Train,
                    $"{source.Name}: fitted densities, {seeds.Count} seeds");
            }
            addTo?.Invoke(folder, results);
            claimed.Commit();
        }
        foreach (var m in models) m.Model.Module.Dispose();
        int code = Conclude(output, results, failures);
        if (json)
        {
            Terminal.Json(new { folder = output, summary, paired, failed = failures.Select(f => f.Message) });
            return code;
        }
        bool known = summary.Any(s => s.TotalVariation is not null);
        string Q(Quartiles? q) => q is null ? "-" : $"{Terminal.Number(q.Median)} [{Terminal.Number(q.Q1)}, {Terminal.Number(q.Q3)}]";
        Terminal.Table($"{source.Name}: median [Q1, Q3] over {seeds.Count} seeds at the best-validation checkpoint",
            known ? ["method", "test NLL", "total variation", "cross-entropy", "stopped"] : ["method", "test NLL", "stopped"],
            summary.Select(s => known
                ? new[] { s.Method, Q(s.TestNll), Q(s.TotalVariation), Q(s.CrossEntropy), s.Stopped.ToString(CultureInfo.InvariantCulture) }
                : [s.Method, Q(s.TestNll), s.Stopped.ToString(CultureInfo.InvariantCulture)]));
        Terminal.Table("paired on shared seeds: wins-losses-ties (lower wins)",
            ["method", "vs", .. metrics.Select(m => m.Replace('_', ' '))],
            paired.GroupBy(w => (w.Method, w.Other)).Select(g => new[] { g.Key.Method, g.Key.Other }
                .Concat(g.Select(w => FormattableString.Invariant($"{w.Wins}-{w.Losses}-{w.Ties}"))).ToArray()));
        Terminal.Line($"results: {output} (summary.csv, summary.json, runs.csv, {(datasets[seeds[0]].Dimension <= 2 ? "densities.png, " : "")}occupancy.png and crosscov.png where a method has a softplus readout, runs/)");
        return code;
    }

    /// <summary>Says on stderr which runs failed (keep-going) or stopped on a non-finite loss, and gives the exit code:
    /// 1 for a failure, else 3 for a non-finite run, else 0.</summary>
    public static int Conclude(string output, IReadOnlyList<RunResult> results, IReadOnlyList<JobFailure> failures)
    {
        foreach (var f in failures) Console.Error.WriteLine($"failed: {f.Message}");
        var nonFinite = results.Where(r => r.NonFinite is not null).ToList();
        foreach (var r in nonFinite) Console.Error.WriteLine($"stopped: {r.Method} seed {r.Seed}: {r.NonFinite}; its results in {output} are those of the best checkpoint");
        return failures.Count > 0 ? ExitCodes.Failed : nonFinite.Count > 0 ? ExitCodes.NonFinite : ExitCodes.Ok;
    }

    private static string F(double? v) => v is double d && !double.IsNaN(d) ? d.ToString("R", CultureInfo.InvariantCulture) : "";

    private static void WriteRunsCsv(string path, IEnumerable<RunResult> results)
    {
        using var w = new StreamWriter(path);
        w.WriteLine("method,seed,test_nll,total_variation,cross_entropy,best_validation_nll,best_step,steps_run,final_shoulder_occupancy,mean_cross_covariance,seconds,stopped,log_z_standard_error,effective_sample_size,warning");
        foreach (var r in results)
            w.WriteLine(string.Join(",", r.Method, r.Seed.ToString(CultureInfo.InvariantCulture), F(r.TestNll), F(r.TotalVariation), F(r.CrossEntropy),
                F(r.BestValidationNll), r.BestStep.ToString(CultureInfo.InvariantCulture), r.StepsRun.ToString(CultureInfo.InvariantCulture),
                F(r.FinalShoulderOccupancy), F(r.MeanCrossCovariance), F(r.Seconds), r.Stopped is null ? "" : "yes", F(r.LogZStandardError), F(r.EffectiveSampleSize),
                r.Warning is null ? "" : "low effective sample size"));
    }

    private static void WriteSummaryCsv(string path, IEnumerable<MethodSummary> summary)
    {
        using var w = new StreamWriter(path);
        w.WriteLine("method,metric,runs,q1,median,q3");
        foreach (var s in summary)
            foreach (var (name, q) in new[] { ("test_nll", s.TestNll), ("total_variation", s.TotalVariation), ("cross_entropy", s.CrossEntropy) })
                if (q is not null)
                    w.WriteLine(string.Join(",", s.Method, name, q.Count.ToString(CultureInfo.InvariantCulture), F(q.Q1), F(q.Median), F(q.Q3)));
    }
}
