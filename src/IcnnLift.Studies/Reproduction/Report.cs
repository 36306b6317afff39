using System.Globalization;
using System.Net;
using System.Text;
using IcnnLift.Data;
using IcnnLift.Density;
using IcnnLift.Studies.Figures;
using IcnnLift.Studies.Mechanism;
using IcnnLift.Positivity;
using IcnnLift.Training;

namespace IcnnLift.Studies.Reproduction;

/// <summary>One experiment as the report shows it: its claim, the verdict computed from the numbers, the lines
/// that justify it, tables (header + rows) and figures (PNG paths relative to the report).</summary>
public sealed record Section(Experiment Experiment, string Verdict, string Scale, IReadOnlyList<string> Findings,
    IReadOnlyList<(string Title, string[] Header, List<string[]> Rows)> Tables, IReadOnlyList<(string Caption, string File)> Figures);

/// <summary>
/// <c>icnn-lift report</c>: merges whatever runs a results folder holds (from any number of shards and reruns)
/// into report.html (self-contained: figures inline) and report.md (figures beside it in report-figures/),
/// each claim next to its verdict: reproduced, not reproduced, or not run.
/// </summary>
public static class Report
{
    public const string Reproduced = "reproduced", NotReproduced = "not reproduced", Inconclusive = "inconclusive", NotRun = "not run";

    /// <summary>Builds the report of the results folder <paramref name="root"/> and writes report.md, report.html and
    /// report-figures/: the figures into a fresh folder that replaces the old one, the pages atomically.
    /// <paramref name="shown"/>: the folder as the user named it, for the pages' text.</summary>
    public static IReadOnlyList<Section> Write(string root, string shown)
    {
        var figuresPath = Path.Combine(root, FiguresFolder);
        // A figures folder of an earlier version, in our results folder.
        if (Directory.Exists(figuresPath) && !OutputFolder.IsOurs(figuresPath)) OutputFolder.Mark(figuresPath);
        using var figures = OutputFolder.Claim(figuresPath, overwrite: true, option: "figures folder");
        var sections = Build(root, figures.Staging);
        AtomicFile.Write(Path.Combine(root, "report.md"), w => w.Write(Markdown(sections, shown)));
        AtomicFile.Write(Path.Combine(root, "report.html"), w => w.Write(Html(sections, shown, figures.Staging)));
        figures.Commit();
        return sections;
    }

    public static IReadOnlyList<Section> Build(string root, string figures)
    {
        var sections = new List<Section>();
        foreach (var experiment in Catalog.All)
        {
            var folder = Path.Combine(root, experiment.Name);
            var manifestPath = Path.Combine(folder, "experiment.json");
            if (!File.Exists(manifestPath))
            {
                sections.Add(new Section(experiment, NotRun, "-", ["no results in this folder"], [], []));
                continue;
            }
            var manifest = Sweep.Read(manifestPath);
            if (manifest.Format != Sweep.Format)
                throw new InputException($"{manifestPath}: format '{manifest.Format}' is not '{Sweep.Format}' (a results folder from another version)");
            var plan = experiment.Runs(manifest.Quick, manifest.Seeds);
            var results = plan.Where(r => Sweep.Finished(folder, r)).Select(r => (Run: r, Result: RunFolder.LoadChecked(Sweep.RunPath(folder, r)))).ToList();
            string size = (manifest.Quick, manifest.Seeds) switch
            {
                (true, int n) => $"quick at {n} seeds",
                (false, int n) => PaperSeeds(experiment) is var paper && n > paper ? $"beyond paper scale: {n} seeds" : $"{n} seeds (paper scale: {paper})",
                (true, null) => "quick",
                (false, null) => "paper scale",
            };
            string scale = $"{size}, {results.Count} of {plan.Count} runs";
            if (results.Count < plan.Count)
            {
                sections.Add(new Section(experiment, NotRun, scale, [$"{plan.Count - results.Count} runs missing: rerun `icnn-lift reproduce "
                    + $"{experiment.Name}{(manifest.Quick ? " --quick" : "")}` (it skips finished runs)"], [], []));
                continue;
            }
            // Tuning runs only choose rates (on validation): they are shown as the rates they chose, never judged.
            var judged = results.Where(r => r.Run.Role != RunRole.Tuning).ToList();
            var section = experiment.Judgement == Judgement.Map
                ? RegimeMap(experiment, scale, folder, figures, judged, manifest.Quick)
                : Judge(experiment, scale, folder, figures, judged);
            if (TunedRates(folder, plan) is { } rates) section = section with { Tables = [rates, .. section.Tables] };
            sections.Add(section);
        }
        return sections;
    }

    /// <summary>The evaluation seeds a method gets in the catalogue's plan.</summary>
    private static int PaperSeeds(Experiment experiment) =>
        experiment.Plan(false).Where(r => r.Role != RunRole.Tuning).GroupBy(r => (r.Group, r.Config.Method)).Max(g => g.Count());

    /// <summary>Under the tuned protocol, the rates each method's tuning runs chose per group, with the median best validation
    /// NLL of the choice and of the runner-up; null for an experiment without tuning runs.</summary>
    private static (string, string[], List<string[]>)? TunedRates(string folder, IReadOnlyList<PlannedRun> plan)
    {
        var tuned = plan.Where(r => r.Role == RunRole.Tuned).DistinctBy(r => (r.Group, r.Config.Method)).ToList();
        if (tuned.Count == 0) return null;
        var rows = tuned.Select(r =>
        {
            var ranking = Tuning.Ranking(folder, plan, r)!;
            var (chosen, median) = ranking[0];
            return new[]
            {
                r.Group, r.Config.MethodName, Tuning.Rate(chosen.LearningRate), Tuning.Rate(chosen.HypernetworkLearningRate), N(median),
                ranking.Count > 1 ? N(ranking[1].MedianValidationNll) : "-", ranking.Count.ToString(CultureInfo.InvariantCulture),
            };
        }).ToList();
        return ("rates chosen on the tuning seeds (median best validation NLL; the test split is not read)",
            ["group", "method", "lr", "hypernetwork lr", "validation NLL", "runner-up", "candidates"], rows);
    }

    /// <summary>One value of the experiment's metric: a training run's, or a baseline's from inputs/baselines.csv.</summary>
    public sealed record Observation(string Group, string Method, int Seed, double Value);

    private static Section Judge(Experiment experiment, string scale, string folder, string figures, List<(PlannedRun Run, RunResult Result)> results)
    {
        var findings = new List<string>();
        var tables = new List<(string, string[], List<string[]>)>();
        var pictures = new List<(string, string)>();
        string metric = Comparison.Label(experiment.Metric);
        var observations = results.Select(r => new Observation(r.Run.Group, r.Run.Config.MethodName, r.Run.Config.Seed, Comparison.Metric(r.Result,
            experiment.Metric)))
            .Concat(Baselines(folder, experiment.Metric)).ToList();
        var methods = observations.Select(o => o.Method).Distinct().ToList();
        var groups = observations.GroupBy(o => o.Group).ToList();
        foreach (var group in groups)
        {
            var columns = methods.Select(m => (Method: m,
                Values: (IReadOnlyList<double>)group.Where(o => o.Method == m).Select(o => o.Value).ToList())).ToList();
            tables.Add(($"{group.Key}: {metric}", ["method", "runs", "median", "95% bootstrap interval"], columns.Select(c =>
            {
                var (low, high) = PairedStatistics.MedianInterval(c.Values);
                return new[] { c.Method, c.Values.Count.ToString(CultureInfo.InvariantCulture), N(Median(c.Values)), $"[{N(low)}, {N(high)}]" };
            }).ToList()));
            var file = Figure(figures, $"{experiment.Name}-{group.Key}-{experiment.Metric}.png");
            StripFigure.Save(file, [.. methods.Select(m => (m, (IReadOnlyDictionary<int, double>)group.Where(o => o.Method == m)
                .ToDictionary(o => o.Seed, o => o.Value)))], metric, $"{experiment.Name}: {group.Key}");
            pictures.Add(($"{group.Key}: {metric} per seed", Relative(figures, file)));
            var runs = results.Where(r => r.Run.Group == group.Key).ToList();
            var tau = experiment.BasinMargin is double margin && runs.Count > 0 && runs[0].Run.Data.Target is { HasDensity: true, Dimension: <= 2 }
                ? Tau(runs, margin) : ((double Entropy, double Value)?)null;
            if (tau is { } t)
            {
                tables.Add(Basin(experiment, group.Key, runs, t, findings));
                tables.Add(Fit(experiment, group.Key, runs, findings));
            }
            if (columns.All(c => c.Values.Count >= HistogramSeeds))
            {
                var histogram = Figure(figures, $"{experiment.Name}-{group.Key}-{experiment.Metric}-histogram.png");
                HistogramFigure.Save(histogram, columns, metric, $"{experiment.Name}: {group.Key}", tau?.Value);
                pictures.Add(($"{group.Key}: histogram of {metric} over seeds", Relative(figures, histogram)));
            }
            if (runs.Count > 0 && runs[0].Run.Data.Target is { Dimension: <= 2 }) pictures.Add(Densities(figures, folder, experiment, runs));
            if (experiment.ValidationCurves) pictures.Add(Curves(figures, folder, experiment, runs, "validation_nll", Comparison.Label("validation_nll"),
                fromFirstStep: false));
        }

        var (verdict, comparisons) = Verdict(experiment, observations);
        findings.AddRange(comparisons);
        if (experiment.Judgement == Judgement.Mechanism) verdict = Mechanism(experiment, folder, figures, results, findings, pictures);
        return new Section(experiment, verdict, scale, findings, tables, pictures);
    }

    /// <summary>The basin's threshold: the target's entropy, by quadrature on the first seed's grid, plus <paramref name="margin"/>.</summary>
    private static (double Entropy, double Value) Tau(List<(PlannedRun Run, RunResult Result)> runs, double margin)
    {
        var first = runs.MinBy(r => r.Run.Config.Seed).Run;
        var target = first.Data.Target!;
        var grid = QuadratureNormalizer.Covering(Rows.ToTensor(first.Data.ForSeed(first.Config.Seed).Train, first.Config.DType), first.Config.GridMargin,
            first.Config.GridPoints);
        double entropy = -grid.Points.Sum(x => target.LogDensity(x) is var logP && double.IsFinite(logP) ? Math.Exp(logP) * logP : 0) * grid.CellVolume;
        return (entropy, entropy + margin);
    }

    /// <summary>The basin: the share of a method's seeds whose test NLL falls below tau (<see cref="Tau"/>), with a bootstrap
    /// interval; each comparison by the exact McNemar test on the paired indicators.</summary>
    private static (string, string[], List<string[]>) Basin(Experiment experiment, string group, List<(PlannedRun Run, RunResult Result)> runs,
        (double Entropy, double Value) threshold, List<string> findings)
    {
        var (entropy, tau) = threshold;
        var (inBasin, pairs) = Paired(experiment, runs, r => r.TestNll < tau);
        foreach (var (method, other, a, b) in pairs)
        {
            var test = PairedStatistics.McNemar(a, b);
            findings.Add($"{group}: basin (test NLL < tau = {N(tau)} nats): {method} {a.Count(v => v)} of {a.Count} seeds, {other} "
                + $"{b.Count(v => v)}; only {method} in it on {test.OnlyFirst}, only {other} on {test.OnlySecond}, McNemar {PairedStatistics.P(test.PValue)}");
        }
        return ($"{group}: basin, test NLL below tau = entropy {N(entropy)} + {N(tau - entropy)} = {N(tau)} nats", ["method", "seeds", "in the basin", "share",
            "95% bootstrap interval"], [.. inBasin.Select(m =>
        {
            var values = m.Value.Values.ToList();
            var (low, high) = PairedStatistics.ShareInterval(values);
            return new[] { m.Key, values.Count.ToString(CultureInfo.InvariantCulture), values.Count(v => v).ToString(CultureInfo.InvariantCulture),
                N(values.Count(v => v) / (double)values.Count), $"[{N(low)}, {N(high)}]" };
        })]);
    }

    /// <summary>Per method, a value of each of its runs by seed; and for each of the experiment's comparisons whose methods both
    /// ran, the two methods' values on their shared seeds, in seed order.</summary>
    private static (Dictionary<string, Dictionary<int, T>> ByMethod, List<(string Method, string Other, List<T> First, List<T> Second)> Pairs)
        Paired<T>(Experiment experiment, List<(PlannedRun Run, RunResult Result)> runs, Func<RunResult, T> value)
    {
        var byMethod = runs.GroupBy(r => r.Run.Config.MethodName).ToDictionary(g => g.Key, g => g.ToDictionary(r => r.Run.Config.Seed, r => value(r.Result)));
        var pairs = experiment.Comparisons.Where(c => byMethod.ContainsKey(c.Method) && byMethod.ContainsKey(c.Other)).Select(c =>
        {
            var (a, b) = (byMethod[c.Method], byMethod[c.Other]);
            var seeds = a.Keys.Intersect(b.Keys).Order().ToList();
            return (c.Method, c.Other, seeds.Select(s => a[s]).ToList(), seeds.Select(s => b[s]).ToList());
        }).ToList();
        return (byMethod, pairs);
    }

    /// <summary>How well each method fits a known 2-D density: total variation and, where the target has modes, the share of
    /// modes holding at least half their mass; each comparison on total variation by the Wilcoxon signed-rank test.</summary>
    private static (string, string[], List<string[]>) Fit(Experiment experiment, string group, List<(PlannedRun Run, RunResult Result)> runs,
        List<string> findings)
    {
        var (byMethod, pairs) = Paired(experiment, runs, r => r);
        foreach (var (method, other, a, b) in pairs)
        {
            List<double> first = [.. a.Select(r => r.TotalVariation ?? double.NaN)], second = [.. b.Select(r => r.TotalVariation ?? double.NaN)];
            var test = PairedStatistics.Wilcoxon(first, second);
            findings.Add($"{group}: {method} vs {other} on total variation: {test.Verdict()}, median difference "
                + $"{Difference(test, PairedStatistics.DifferenceInterval(first, second), "")}, {a.Count} paired seeds");
        }
        return ($"{group}: fit to the known density (total variation; mode coverage: the share of modes holding at least half their mass)",
            ["method", "seeds", "median total variation", "95% bootstrap interval", "median mode coverage", "seeds with every mode"], [.. byMethod.Select(m =>
        {
            var tv = m.Value.Values.Select(r => r.TotalVariation ?? double.NaN).ToList();
            var coverage = m.Value.Values.Select(r => r.ModeCoverage ?? double.NaN).ToList();
            var (low, high) = PairedStatistics.MedianInterval(tv);
            return new[] { m.Key, tv.Count.ToString(CultureInfo.InvariantCulture), N(Median(tv)), $"[{N(low)}, {N(high)}]",
                coverage.Any(double.IsFinite) ? N(Median(coverage)) : "-",
                coverage.Any(double.IsFinite) ? coverage.Count(c => c == 1).ToString(CultureInfo.InvariantCulture) : "-" };
        })]);
    }

    /// <summary>
    /// The verdict of an experiment's comparisons on its observations, and the lines that justify it. Each (method,
    /// other) pair is tested (Wilcoxon signed-rank) on shared seeds within each group, or once over all (group, seed)
    /// pairs with <see cref="Experiment.PairAcrossGroups"/>, which then also asks for a lower median in every group.
    /// Reproduced: the method is lower with p &lt; 0.05 in every test. Inconclusive: not that, but some test has fewer
    /// than 6 pairs (p &lt; 0.05 is out of reach) and none is significantly the other way. Otherwise not reproduced.
    /// </summary>
    public static (string Verdict, List<string> Findings) Verdict(Experiment experiment, IReadOnlyList<Observation> observations)
    {
        var findings = new List<string>();
        string metric = Comparison.Label(experiment.Metric);
        var groups = observations.GroupBy(o => o.Group).ToList();
        // Each comparison on shared seeds within a group, or once over all (group, seed) pairs.
        bool allLower = true, anyHigher = false, underpowered = false;
        var units = experiment.PairAcrossGroups ? [("all groups", observations.ToList())] : groups.Select(g => (g.Key, g.ToList())).ToList();
        var comparisons = experiment.Comparisons.Select(c => (c.Method, c.Other, Judged: true))
            .Concat((experiment.Shown ?? []).Select(c => (c.Method, c.Other, Judged: false))).ToList();
        foreach (var (unit, set) in units)
            foreach (var (method, other, judged) in comparisons)
            {
                var a = set.Where(o => o.Method == method).ToDictionary(o => (o.Group, o.Seed), o => o.Value);
                var b = set.Where(o => o.Method == other).ToDictionary(o => (o.Group, o.Seed), o => o.Value);
                var keys = a.Keys.Intersect(b.Keys).Order().ToList();
                List<double> first = [.. keys.Select(k => a[k])], second = [.. keys.Select(k => b[k])];
                var test = PairedStatistics.Wilcoxon(first, second);
                bool lower = test.Lower();
                if (judged)
                {
                    anyHigher |= test.PValue < 0.05 && test.MedianDifference > 0;
                    underpowered |= keys.Count < 6;
                }
                if (judged && keys.Count is > 0 and < 6)
                    findings.Add($"{unit}: with {keys.Count} paired seeds the smallest two-sided p is {N(Math.Pow(2, 1 - keys.Count))}: this scale cannot "
                        + "reach p < 0.05");
                string finding = $"{unit}: {method} vs {other} on {metric}: {test.Verdict()}, median difference "
                    + $"{Difference(test, PairedStatistics.DifferenceInterval(first, second), Comparison.Unit(experiment.Metric))}, {keys.Count} "
                    + $"paired {(experiment.PairAcrossGroups ? "(group, seed) pairs" : "seeds")}{(judged ? "" : " (shown, not part of the verdict)")}";
                if (experiment.PairAcrossGroups)
                {
                    var below = groups.Where(g => Median(keys.Where(k => k.Group == g.Key).Select(k => a[k] - b[k]).ToList()) < 0).Select(g => g.Key).ToList();
                    lower &= below.Count == groups.Count;
                    finding += $"; lower median in {below.Count} of {groups.Count} groups";
                }
                if (judged) allLower &= lower;
                findings.Add(finding);
            }
        // Too few seeds to reach p < 0.05 and nothing significantly the other way: the numbers cannot decide.
        return (experiment.Comparisons.Length == 0 || allLower ? Reproduced : !anyHigher && underpowered ? Inconclusive : NotReproduced, findings);
    }

    /// <summary>Baseline values written by an experiment's preparation (group, method, seed, metric), if any.</summary>
    private static IEnumerable<Observation> Baselines(string folder, string metric)
    {
        var path = Sweep.BaselinesFile(folder);
        if (!File.Exists(path)) return [];
        var lines = File.ReadAllLines(path);
        int column = Array.IndexOf(lines[0].Split(','), metric);
        if (column < 0) throw new InputException($"{path}: no '{metric}' column");
        return lines.Skip(1).Select((line, i) =>
        {
            var c = line.Split(',');
            return c.Length == 4 && int.TryParse(c[2], CultureInfo.InvariantCulture, out int seed) && double.TryParse(c[column], CultureInfo.InvariantCulture,
                out double value)
                ? new Observation(c[0], c[1], seed, value)
                : throw new InputException($"{path}: line {i + 2}: expected group,method,seed,{metric}");
        }).ToList();
    }

    private static double Median(IEnumerable<double> values) => MathNet.Numerics.Statistics.Statistics.Median(values.Where(double.IsFinite));

    /// <summary>The mechanism's three sub-claims, each judged from the numbers; reproduced only if all hold.</summary>
    private static string Mechanism(Experiment experiment, string folder, string figures, List<(PlannedRun Run, RunResult Result)> results,
        List<string> findings, List<(string, string)> pictures)
    {
        var deletions = Ablation.Architectures.Where(a => a != PositivityMethod.Lift).Select(Choice.Name).ToList();
        bool zeros = true, trap = true, transient = true;
        // Each protocol's group is judged on its own; the claim needs every group.
        foreach (var group in results.GroupBy(r => r.Run.Group))
        {
            var runs = group.ToList();
            var readings = Ablation.Readings(runs.Select(r => r.Result).ToList());
            var deleted = readings.Where(r => deletions.Contains(r.Architecture)).ToList();
            var full = readings.Single(r => r.Architecture == Choice.Name(PositivityMethod.Lift)).Readings;
            bool groupZeros = deleted.All(r => r.Readings.All(v => v == 0)) && full.All(v => v > 0);
            findings.Add($"{group.Key}: cross-covariance: deletions {string.Join(", ", deleted.Select(r => $"{r.Architecture} max {N(r.Readings.Max())}"))}; "
                + $"lift min {N(full.Min())} -> structural zeros {(groupZeros ? "hold" : "do not hold")}");
            var ablation = Figure(figures, $"{experiment.Name}-{group.Key}-ablation.png");
            AblationFigure.Save(ablation, readings, $"mechanism, {group.Key}: slack-channel cross-covariance");
            pictures.Add(($"{group.Key}: time-averaged cross-covariance of the {Ablation.Architectures.Length} architectures", Relative(figures, ablation)));

            // Occupancy: never drains = ends within 0.02 of its maximum; transient = ends at least 0.1 below it.
            var pair = runs.Where(r => r.Run.Config.Method is PositivityMethod.Softplus or PositivityMethod.Lift).ToList();
            pictures.Add(Curves(figures, folder, experiment, pair, "shoulder_occupancy", "shoulder occupancy"));
            pictures.Add(Curves(figures, folder, experiment, runs, "cross_covariance", "cross-covariance"));
            (double Final, double Max) Occupancy(PlannedRun run)
            {
                var curve = RunFolder.LoadMetric(Sweep.RunPath(folder, run), "shoulder_occupancy").Where(double.IsFinite).ToArray();
                return (curve[^1], curve.Max());
            }
            var softplus = pair.Where(r => r.Run.Config.Method == PositivityMethod.Softplus).Select(r => Occupancy(r.Run)).ToList();
            var lift = pair.Where(r => r.Run.Config.Method == PositivityMethod.Lift).Select(r => Occupancy(r.Run)).ToList();
            bool groupTrap = softplus.All(o => o.Final >= o.Max - 0.02);
            bool groupTransient = lift.Count(o => o.Final <= o.Max - 0.1) * 2 > lift.Count;
            static string Ends(List<(double Final, double Max)> o) =>
                $"{string.Join(", ", o.Select(x => N(x.Final)))} (max {string.Join(", ", o.Select(x => N(x.Max)))})";
            findings.Add($"{group.Key}: occupancy: softplus ends at {Ends(softplus)} -> never drains: {(groupTrap ? "yes" : "no")}; "
                + $"lift ends at {Ends(lift)} -> transient: {(groupTransient ? "yes" : "no")}");
            (zeros, trap, transient) = (zeros && groupZeros, trap && groupTrap, transient && groupTransient);
        }

        bool escape = false;
        var sde = Path.Combine(folder, "extras", "sde", "sde.csv");
        if (File.Exists(sde))
        {
            var rows = File.ReadAllLines(sde).Skip(1).Select(l => l.Split(',')).Select(c => (Noise: D(c[0]), Budget: int.Parse(c[1],
                CultureInfo.InvariantCulture), Fraction: D(c[3]))).ToList();
            int budget = rows.Max(r => r.Budget);
            var last = rows.Where(r => r.Budget == budget).OrderBy(r => r.Noise).ToList();
            escape = last[0].Noise == 0 && last[0].Fraction == 0 && last.Zip(last.Skip(1)).All(p => p.Second.Fraction >= p.First.Fraction)
                && last[^1].Fraction > 0;
            var fractions = string.Join(", ", last.Select(r => FormattableString.Invariant($"noise {r.Noise}: {r.Fraction:F3}")));
            findings.Add($"escape SDE within {budget} iterations: {fractions} -> zero noise never escapes and escape rises with noise: "
                + $"{(escape ? "yes" : "no")}");
            pictures.Add(("escape fraction against noise", Copy(figures, Path.Combine(folder, "extras", "sde", "sde.png"), "mechanism-sde.png")));
        }
        else findings.Add("escape SDE: not run (extras are run by shard 1)");
        var landscape = Path.Combine(folder, "extras", "landscape", "landscape.png");
        if (File.Exists(landscape))
            pictures.Add(("loss landscape, constrained and lifted space (seed 0)", Copy(figures, landscape, "mechanism-landscape.png")));
        return zeros && trap && transient && escape ? Reproduced : NotReproduced;
    }

    /// <summary>The lift's comparisons in the regime map, each against the lift (other minus lift: positive, the lift is better).</summary>
    private static readonly PositivityMethod[] MapOthers = [PositivityMethod.Softplus, PositivityMethod.Pgd, PositivityMethod.LiftFixed];

    /// <summary>The regime map, target by target and cell by cell: each method's median metric, the lift's paired difference from
    /// each other method with its Wilcoxon p, and the mechanism's readings (PGD's share of near-zero weights beside the softplus
    /// family's shoulder occupancy; the lift's batch noise in the shoulder beside the shoulder's distance to its edge).
    /// Not a claim of the paper: its verdict is "mapped".</summary>
    private static Section RegimeMap(Experiment experiment, string scale, string folder, string figures, List<(PlannedRun Run, RunResult Result)> results,
        bool quick)
    {
        var cells = Catalog.RegimeCells(quick);
        string metric = experiment.Metric;
        var findings = new List<string>();
        var outcomes = new List<string[]>();
        var readings = new List<string[]>();
        var pictures = new List<(string, string)>();
        foreach (var target in results.GroupBy(r => r.Run.Group.Split('@')[0]))
        {
            var advantage = new double[cells.Count, MapOthers.Length];
            int seedCount = 0;
            var better = new int[MapOthers.Length];
            var worse = new int[MapOthers.Length];
            for (int i = 0; i < cells.Count; i++)
            {
                var runs = target.Where(r => r.Run.Group == $"{target.Key}@{cells[i].Label}").ToList();
                Dictionary<int, double> Values(PositivityMethod m) =>
                    runs.Where(r => r.Run.Config.Method == m).ToDictionary(r => r.Run.Config.Seed, r => Comparison.Metric(r.Result, metric));
                double MedianOf(PositivityMethod m, Func<RunResult, double?> value) =>
                    Median(runs.Where(r => r.Run.Config.Method == m).Select(r => value(r.Result) ?? double.NaN));
                var lift = Values(PositivityMethod.Lift);
                var row = new List<string> { target.Key, cells[i].Change };
                row.AddRange(Catalog.DecisiveMethods.Select(m => N(Median(Values(m).Values))));
                for (int k = 0; k < MapOthers.Length; k++)
                {
                    var other = Values(MapOthers[k]);
                    var seeds = lift.Keys.Intersect(other.Keys).Order().ToList();
                    seedCount = Math.Max(seedCount, seeds.Count);
                    var test = PairedStatistics.Wilcoxon(seeds.Select(s => lift[s]).ToList(), seeds.Select(s => other[s]).ToList());
                    advantage[i, k] = -test.MedianDifference;
                    int wins = seeds.Count(s => lift[s] < other[s]), losses = seeds.Count(s => lift[s] > other[s]);
                    better[k] += test.Lower() || (wins == seeds.Count && wins > 0) ? 1 : 0;
                    worse[k] += (test.PValue < 0.05 && test.MedianDifference > 0) || (losses == seeds.Count && losses > 0) ? 1 : 0;
                    var (low, high) = PairedStatistics.MedianInterval([.. seeds.Select(s => lift[s] - other[s]).Where(double.IsFinite)]);
                    row.Add($"{N(test.MedianDifference)} [{N(low)}, {N(high)}] ({PairedStatistics.P(test.PValue)}, lift lower on {wins}/{seeds.Count})");
                }
                int diverged = runs.Count(r => !double.IsFinite(Comparison.Metric(r.Result, metric)));
                row.Add(diverged.ToString(CultureInfo.InvariantCulture));
                outcomes.Add([.. row]);
                double Noise(string column) => Median(runs.Where(r => r.Run.Config.Method == PositivityMethod.Lift)
                    .Select(r => RunFolder.LoadMetric(Sweep.RunPath(folder, r.Run), column).Where(double.IsFinite).DefaultIfEmpty(double.NaN).Last()));
                readings.Add([target.Key, cells[i].Change, N(MedianOf(PositivityMethod.Pgd, r => r.NearZeroWeightShare)),
                    .. new[] { PositivityMethod.Softplus, PositivityMethod.Lift, PositivityMethod.LiftFixed }
                        .Select(m => N(MedianOf(m, r => r.FinalShoulderOccupancy))),
                    N(Noise("shoulder_noise_median")), N(Noise("shoulder_gap_median"))]);
            }
            findings.Add($"{target.Key}, {cells.Count} cells: the lift is lower / higher than "
                + string.Join(", ", MapOthers.Select((m, k) => $"{Choice.Name(m)} in {better[k]} / {worse[k]}"))
                + $" (p < 0.05, or on every seed: with {seedCount} seeds the smallest two-sided p is {N(Math.Pow(2, 1 - seedCount))})");
            var file = Figure(figures, $"{experiment.Name}-{target.Key}.png");
            RegimeFigure.Save(file, [.. cells.Select(c => c.Label)], [.. MapOthers.Select(m => "vs " + Choice.Name(m))],
                [($"{target.Key}: other minus lift (positive: the lift is better)", advantage)], "comparison");
            pictures.Add(($"{target.Key}: the lift's median paired advantage per cell", Relative(figures, file)));
        }
        string[] medians = [.. Catalog.DecisiveMethods.Select(m => Choice.Name(m))];
        return new Section(experiment, "mapped", scale, findings,
        [
            ($"{Comparison.Label(metric)}: median per method, and the lift minus each other method (median paired difference, "
                + "95% bootstrap interval, Wilcoxon p)",
                ["target", "change from the base point", .. medians, .. MapOthers.Select(m => "lift - " + Choice.Name(m)), "diverged runs"], outcomes),
            ("trap or sparsity: PGD's share of weights below 0.05 beside the final shoulder occupancy; the lift's batch noise in the shoulder "
                + "beside the shoulder's distance to its edge (medians over seeds, last evaluation)",
                ["target", "change from the base point", "pgd near-zero share", "softplus occupancy", "lift occupancy", "lift-fixed occupancy",
                    "lift shoulder noise", "shoulder gap"], readings),
        ], pictures);
    }

    /// <summary>Groups with at least this many seeds a method also get a histogram of the metric.</summary>
    private const int HistogramSeeds = 20;

    /// <summary>Fitted densities of a 1-D or 2-D group against its target: every method's first 10 seeds as lines in 1-D,
    /// its first seed as a heatmap in 2-D, on the grid covering the first seed's training data.</summary>
    private static (string, string) Densities(string figures, string folder, Experiment experiment, List<(PlannedRun Run, RunResult Result)> runs)
    {
        var first = runs.MinBy(r => r.Run.Config.Seed).Run;
        var data = first.Data.ForSeed(first.Config.Seed);
        int seeds = data.Dimension == 1 ? 10 : 1;
        var shown = runs.GroupBy(r => r.Run.Config.Method).SelectMany(g => g.OrderBy(r => r.Run.Config.Seed).Take(seeds)).ToList();
        var grid = QuadratureNormalizer.Covering(Rows.ToTensor(data.Train, first.Config.DType), first.Config.GridMargin, first.Config.GridPoints);
        var points = grid.Grid(first.Config.DType);
        var fits = shown.Select(r =>
        {
            var saved = RunFolder.Load(Sweep.RunPath(folder, r.Run));
            using var module = saved.Model.Module;
            return new FittedDensity(r.Run.Config.MethodName, r.Run.Config.Seed, grid, saved.Model.LogDensityValues(points));
        }).ToList();
        var file = Figure(figures, $"{experiment.Name}-{first.Group}-densities.png");
        DensityFigure.Save(file, fits, first.Data.Target, data.Train, $"{experiment.Name}: {first.Group}, fitted densities");
        var which = seeds == 1 ? "first seed of each method" : $"first {seeds} seeds of each method";
        return ($"{first.Group}: fitted densities ({which}) against the target", Relative(figures, file));
    }

    private static (string, string) Curves(string figures, string folder, Experiment experiment, List<(PlannedRun Run, RunResult Result)> runs, string metric,
        string label, bool fromFirstStep = true)
    {
        var series = runs.GroupBy(r => r.Run.Config.MethodName).ToDictionary(g => g.Key,
            g => (IReadOnlyList<double[]>)g.Select(r => RunFolder.LoadMetric(Sweep.RunPath(folder, r.Run), metric)).ToList())
            .Where(kv => kv.Value.Any(c => c.Any(double.IsFinite))).ToDictionary(kv => kv.Key, kv => kv.Value);
        var file = Figure(figures, $"{experiment.Name}-{runs[0].Run.Group}-{metric}.png");
        IterationFigure.Save(file, series, label, $"{experiment.Name}: {runs[0].Run.Group}, {label}", fromFirstStep);
        return ($"{runs[0].Run.Group}: {label} against iteration (median, quartile band)", Relative(figures, file));
    }

    private static string Figure(string figures, string name) => Path.Combine(figures, name);

    private static string Copy(string figures, string source, string name)
    {
        var target = Figure(figures, name);
        File.Copy(source, target, overwrite: true);
        return Relative(figures, target);
    }

    /// <summary>The figures folder is filled under a temporary name and renamed; pages link to its final name.</summary>
    public const string FiguresFolder = "report-figures";

    private static string Relative(string figures, string file) => $"{FiguresFolder}/{Path.GetFileName(file)}";

    private static string N(double v) => double.IsFinite(v) ? v.ToString("G4", CultureInfo.InvariantCulture) : "-";

    /// <summary>A median paired difference with its 95% bootstrap interval and unit: "-0.0027 [-0.0041, -0.0012] nats".</summary>
    private static string Difference(SignedRankTest test, (double Low, double High) interval, string unit) =>
        $"{N(test.MedianDifference)} [{N(interval.Low)}, {N(interval.High)}]{unit}";

    /// <summary>How every page opens: what the tests are and what a verdict needs.</summary>
    private const string Method = "Paired comparisons: Wilcoxon signed-rank on shared seeds, two-sided, each with the median paired difference and its "
        + "95% percentile-bootstrap interval; medians with 95% percentile-bootstrap intervals; NLL and cross-entropies in nats. A claim is reproduced "
        + "only when every comparison it names holds (the method lower at p < 0.05): one comparison that does not hold makes it not reproduced.";

    private static double D(string s) => double.Parse(s, CultureInfo.InvariantCulture);

    public static string Markdown(IReadOnlyList<Section> sections, string root)
    {
        var md = new StringBuilder();
        md.AppendLine("# IcnnLift reproduction report").AppendLine();
        md.AppendLine($"Results folder: `{root}`. {Method}").AppendLine();
        md.AppendLine("| experiment | verdict | scale |").AppendLine("|---|---|---|");
        foreach (var s in sections) md.AppendLine($"| {s.Experiment.Name} | **{s.Verdict}** | {s.Scale} |");
        foreach (var s in sections)
        {
            md.AppendLine().AppendLine($"## {s.Experiment.Name}: {s.Verdict}").AppendLine()
                .AppendLine($"Claim: {s.Experiment.Claim}").AppendLine().AppendLine($"Scale: {s.Scale}.").AppendLine();
            foreach (var f in s.Findings) md.AppendLine($"- {f}");
            foreach (var (title, header, rows) in s.Tables)
            {
                md.AppendLine().AppendLine($"{title}").AppendLine()
                    .AppendLine($"| {string.Join(" | ", header)} |").AppendLine($"|{string.Concat(header.Select(_ => "---|"))}");
                foreach (var r in rows) md.AppendLine($"| {string.Join(" | ", r)} |");
            }
            foreach (var (caption, file) in s.Figures) md.AppendLine().AppendLine($"![{caption}]({file})");
        }
        return md.ToString();
    }

    public static string Html(IReadOnlyList<Section> sections, string root, string figures)
    {
        static string E(string s) => WebUtility.HtmlEncode(s);
        var html = new StringBuilder();
        html.AppendLine("<!DOCTYPE html><html><head><meta charset=\"utf-8\"><title>IcnnLift reproduction report</title><style>")
            .AppendLine("body{font-family:sans-serif;max-width:1100px;margin:2em auto;padding:0 1em}table{border-collapse:collapse;margin:1em "
                + "0}td,th{border:1px solid #ccc;padding:4px 8px;text-align:right}td:first-child,th:first-child{text-align:left}")
            .AppendLine(".reproduced{color:#186a3b}.inconclusive{color:#b9770e}.not-reproduced{color:#a93226}.not-run{color:#7f8c8d}"
                + "img{max-width:100%}</style></head><body>")
            .AppendLine("<h1>IcnnLift reproduction report</h1>")
            .AppendLine($"<p>Results folder: <code>{E(root)}</code>. {E(Method)}</p><table><tr><th>experiment</th><th>verdict</th><th>scale</th></tr>");
        foreach (var s in sections) html.AppendLine($"<tr><td><a href=\"#{s.Experiment.Name}\">{E(s.Experiment.Name)}</a></td><td "
            + $"class=\"{s.Verdict.Replace(' ', '-')}\">{E(s.Verdict)}</td><td>{E(s.Scale)}</td></tr>");
        html.AppendLine("</table>");
        foreach (var s in sections)
        {
            html.AppendLine($"<h2 id=\"{s.Experiment.Name}\">{E(s.Experiment.Name)}: <span "
                + $"class=\"{s.Verdict.Replace(' ', '-')}\">{E(s.Verdict)}</span></h2><p><b>Claim:</b> {E(s.Experiment.Claim)}</p><p>Scale: "
                    + $"{E(s.Scale)}.</p><ul>");
            foreach (var f in s.Findings) html.AppendLine($"<li>{E(f)}</li>");
            html.AppendLine("</ul>");
            foreach (var (title, header, rows) in s.Tables)
            {
                html.AppendLine($"<table><caption>{E(title)}</caption><tr>{string.Concat(header.Select(h => $"<th>{E(h)}</th>"))}</tr>");
                foreach (var r in rows) html.AppendLine($"<tr>{string.Concat(r.Select(c => $"<td>{E(c)}</td>"))}</tr>");
                html.AppendLine("</table>");
            }
            foreach (var (caption, file) in s.Figures)
            {
                var png = Convert.ToBase64String(File.ReadAllBytes(Path.Combine(figures, Path.GetFileName(file))));
                html.AppendLine($"<figure><img alt=\"{E(caption)}\" src=\"data:image/png;base64,{png}\"><figcaption>{E(caption)}</figcaption></figure>");
            }
        }
        return html.AppendLine("</body></html>").ToString();
    }
}
