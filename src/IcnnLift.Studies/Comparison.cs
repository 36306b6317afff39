using MathNet.Numerics.Statistics;
using IcnnLift.Training;

namespace IcnnLift.Studies;

/// <summary>Median and quartiles of one metric over seeds.</summary>
public sealed record Quartiles(double Q1, double Median, double Q3, int Count)
{
    public static Quartiles Of(IEnumerable<double> values)
    {
        var v = values.Where(double.IsFinite).ToArray();
        if (v.Length == 0) return new Quartiles(double.NaN, double.NaN, double.NaN, 0);
        return new Quartiles(
            Statistics.QuantileCustom(v, 0.25, QuantileDefinition.R7),
            Statistics.QuantileCustom(v, 0.5, QuantileDefinition.R7),
            Statistics.QuantileCustom(v, 0.75, QuantileDefinition.R7),
            v.Length);
    }
}

public sealed record MethodSummary(string Method, int Runs, int Stopped, Quartiles TestNll, Quartiles? TotalVariation, Quartiles? CrossEntropy);

/// <summary>On the seeds both methods ran: how often <see cref="Method"/> had the lower metric than <see cref="Other"/>.</summary>
public sealed record PairedWins(string Method, string Other, string Metric, int Wins, int Losses, int Ties, int Seeds);

/// <summary>Several methods x several seeds on one data set: the same data, initial network and batches per seed.</summary>
public static class Comparison
{
    public static IReadOnlyList<MethodSummary> Summarize(IReadOnlyList<RunResult> results, IReadOnlyList<string> methods) =>
        methods.Select(m =>
        {
            var runs = results.Where(r => r.Method == m).ToList();
            bool known = runs.Any(r => r.TotalVariation is not null);
            return new MethodSummary(m, runs.Count, runs.Count(r => r.Stopped is not null),
                Quartiles.Of(runs.Select(r => r.TestNll)),
                known ? Quartiles.Of(runs.Select(r => r.TotalVariation ?? double.NaN)) : null,
                known ? Quartiles.Of(runs.Select(r => r.CrossEntropy ?? double.NaN)) : null);
        }).ToList();

    /// <summary>The metrics the results carry: test NLL always; total variation and cross-entropy (no
    /// test-sample noise) where the true density is known.</summary>
    public static IReadOnlyList<string> Metrics(IReadOnlyList<RunResult> results) =>
        results.All(r => r.TotalVariation is not null) ? ["test_nll", "total_variation", "cross_entropy"] : ["test_nll"];

    /// <summary>A metric as tables, findings and axes name it, with its unit: "test NLL (nats)".</summary>
    public static string Label(string metric) => (metric switch
    {
        "test_nll" => "test NLL",
        "validation_nll" => "validation NLL",
        _ => metric.Replace('_', ' ').Replace("cross entropy", "cross-entropy"),
    }) + (Unit(metric) is "" ? "" : $" ({Unit(metric).Trim()})");

    /// <summary>The unit a difference of the metric is in, with a leading space, or nothing for a unitless one.</summary>
    public static string Unit(string metric) => metric is "test_nll" or "validation_nll" or "cross_entropy" or "excess_cross_entropy" ? " nats" : "";

    public static double Metric(RunResult r, string metric) => metric switch
    {
        "total_variation" => r.TotalVariation ?? double.NaN,
        "cross_entropy" => r.CrossEntropy ?? double.NaN,
        "excess_cross_entropy" => r.ExcessCrossEntropy ?? double.NaN,
        "mode_coverage" => r.ModeCoverage ?? double.NaN,
        "test_nll" => r.TestNll,
        _ => throw new ArgumentException($"unknown metric '{metric}'"),
    };

    public static IReadOnlyList<PairedWins> Paired(IReadOnlyList<RunResult> results, IReadOnlyList<string> methods, string metric)
    {
        var pairs = new List<PairedWins>();
        for (int a = 0; a < methods.Count; a++)
            for (int b = a + 1; b < methods.Count; b++)
            {
                var other = results.Where(r => r.Method == methods[b]).ToDictionary(r => r.Seed);
                int wins = 0, losses = 0, ties = 0;
                foreach (var r in results.Where(r => r.Method == methods[a] && other.ContainsKey(r.Seed)))
                {
                    double x = Metric(r, metric), y = Metric(other[r.Seed], metric);
                    if (x < y) wins++;
                    else if (x > y) losses++;
                    else ties++;
                }
                pairs.Add(new PairedWins(methods[a], methods[b], metric, wins, losses, ties, wins + losses + ties));
            }
        return pairs;
    }
}
