using MathNet.Numerics.Distributions;
using MathNet.Numerics.Statistics;

namespace IcnnLift.Studies;

/// <summary>A Wilcoxon signed-rank test of paired values a_i against b_i (the same seed).</summary>
/// <param name="Pairs">Pairs compared (zero differences are dropped, Wilcoxon's convention).</param>
/// <param name="MedianDifference">Median of a_i - b_i over all pairs.</param>
/// <param name="PValue">Two-sided p-value: exact for up to 50 pairs without tied |differences|, the normal
/// approximation with the tie correction otherwise; 1 without pairs.</param>
public sealed record SignedRankTest(int Pairs, double StatisticPlus, double MedianDifference, double PValue)
{
    /// <summary>The words the report uses: "lower (p = ...)", "higher (p = ...)" or "no difference detected (p = ...)".</summary>
    public string Verdict(double level = 0.05) => PValue < level
        ? $"{(MedianDifference < 0 ? "lower" : "higher")} ({PairedStatistics.P(PValue)})"
        : $"no difference detected ({PairedStatistics.P(PValue)})";

    public bool Lower(double level = 0.05) => PValue < level && MedianDifference < 0;
}

/// <summary>The statistics of the reproduction report: paired tests on shared seeds and bootstrap intervals.</summary>
public static class PairedStatistics
{
    public static SignedRankTest Wilcoxon(IReadOnlyList<double> a, IReadOnlyList<double> b)
    {
        if (a.Count != b.Count) throw new ArgumentException($"paired samples need equal sizes, got {a.Count} and {b.Count}");
        var all = a.Zip(b, (x, y) => x - y).Where(double.IsFinite).ToArray();
        double medianDifference = all.Length > 0 ? Statistics.Median(all) : double.NaN;
        var d = all.Where(v => v != 0).ToArray();
        int n = d.Length;
        if (n == 0) return new SignedRankTest(0, 0, medianDifference, 1);
        var ranks = Statistics.Ranks(d.Select(Math.Abs).ToArray(), RankDefinition.Average);
        double plus = d.Select((v, i) => v > 0 ? ranks[i] : 0).Sum();
        bool ties = ranks.Distinct().Count() < n;
        double p;
        if (!ties && n <= 50)
        {
            // Exact null distribution: counts of the 2^n sign patterns by their rank sum.
            int max = n * (n + 1) / 2;
            var counts = new double[max + 1];
            counts[0] = 1;
            for (int r = 1; r <= n; r++)
                for (int s = max; s >= r; s--)
                    counts[s] += counts[s - r];
            double total = Math.Pow(2, n);
            double tail = Math.Min(plus, max - plus);
            p = Math.Min(1, 2 * counts.Take((int)Math.Floor(tail) + 1).Sum() / total);
        }
        else
        {
            double mean = n * (n + 1) / 4.0;
            double tieTerm = ranks.GroupBy(r => r).Sum(g => Math.Pow(g.Count(), 3) - g.Count()) / 48.0;
            double sd = Math.Sqrt(n * (n + 1) * (2 * n + 1) / 24.0 - tieTerm);
            double z = (Math.Abs(plus - mean) - 0.5) / sd; // continuity correction
            p = sd > 0 ? Math.Min(1, 2 * (1 - Normal.CDF(0, 1, Math.Max(z, 0)))) : 1;
        }
        return new SignedRankTest(n, plus, medianDifference, p);
    }

    /// <summary>A p-value as the report writes every one: "p = " and three significant digits, or "p &lt; 0.001".</summary>
    public static string P(double p) => p < 0.001 ? "p < 0.001" : FormattableString.Invariant($"p = {p:G3}");

    /// <summary>Percentile bootstrap interval of the median paired difference a_i - b_i: the effect a paired test is about.</summary>
    public static (double Low, double High) DifferenceInterval(IReadOnlyList<double> a, IReadOnlyList<double> b) =>
        MedianInterval([.. a.Zip(b, (x, y) => x - y).Where(double.IsFinite)]);

    /// <summary>Percentile bootstrap interval of the median (resamples drawn from a fixed seed, so reports reproduce).</summary>
    public static (double Low, double High) MedianInterval(IReadOnlyList<double> values, double level = 0.95, int resamples = 2000, int seed = 0) =>
        Interval(values, sample => Statistics.Median(sample), level, resamples, seed);

    /// <summary>Percentile bootstrap interval of the share of true values (a basin fraction).</summary>
    public static (double Low, double High) ShareInterval(IReadOnlyList<bool> values, double level = 0.95, int resamples = 2000, int seed = 0) =>
        Interval([.. values.Select(v => v ? 1.0 : 0.0)], sample => sample.Average(), level, resamples, seed);

    private static (double Low, double High) Interval(IReadOnlyList<double> values, Func<double[], double> statistic, double level, int resamples, int seed)
    {
        var v = values.Where(double.IsFinite).ToArray();
        if (v.Length == 0) return (double.NaN, double.NaN);
        var rng = new Random(seed);
        var statistics = new double[resamples];
        var sample = new double[v.Length];
        for (int b = 0; b < resamples; b++)
        {
            for (int i = 0; i < v.Length; i++) sample[i] = v[rng.Next(v.Length)];
            statistics[b] = statistic(sample);
        }
        return (Statistics.Quantile(statistics, (1 - level) / 2), Statistics.Quantile(statistics, 1 - (1 - level) / 2));
    }

    /// <summary>Exact McNemar test of paired indicators a_i, b_i (the same seed): of the discordant pairs, <c>OnlyFirst</c> have a
    /// true and b false and <c>OnlySecond</c> the reverse; under the null each discordant pair is either with probability 1/2, so
    /// the two-sided p is min(1, 2 P(X &lt;= min)), X ~ Binomial(discordant, 1/2); 1 without discordant pairs.</summary>
    public static (int OnlyFirst, int OnlySecond, double PValue) McNemar(IReadOnlyList<bool> a, IReadOnlyList<bool> b)
    {
        if (a.Count != b.Count) throw new ArgumentException($"paired samples need equal sizes, got {a.Count} and {b.Count}");
        int first = a.Zip(b).Count(p => p.First && !p.Second), second = a.Zip(b).Count(p => !p.First && p.Second);
        int n = first + second;
        double p = n == 0 ? 1 : Math.Min(1, 2 * Binomial.CDF(0.5, n, Math.Min(first, second)));
        return (first, second, p);
    }
}
