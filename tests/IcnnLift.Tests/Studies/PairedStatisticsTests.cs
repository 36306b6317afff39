using IcnnLift.Studies;
using Xunit;

namespace IcnnLift.Tests.Studies;

public class PairedStatisticsTests
{
    [Fact]
    public void Wilcoxon_matches_the_exact_textbook_values()
    {
        // Darwin's paired maize heights (differences), the example of scipy.stats.wilcoxon: exact two-sided p = 0.041259765625.
        double[] d = [6, 8, 14, 16, 23, 24, 28, 29, 41, -48, 49, 56, 60, -67, 75];
        var test = PairedStatistics.Wilcoxon(d, d.Select(_ => 0.0).ToArray());
        Assert.Equal(15, test.Pairs);
        Assert.Equal(120 - 24, test.StatisticPlus); // the negative ranks sum to 24
        Assert.Equal(0.041259765625, test.PValue, 12);
        Assert.True(test.Lower() == false && test.Verdict().StartsWith("higher", StringComparison.Ordinal));

        // All five differences of one sign: p = 2 / 2^5, which no 5-seed comparison can beat.
        var five = PairedStatistics.Wilcoxon([1, 2, 3, 4, 5], [2, 4, 6, 8, 10]);
        Assert.Equal(0.0625, five.PValue, 12);
        Assert.StartsWith("no difference detected", five.Verdict());
    }

    [Fact]
    public void Wilcoxon_is_symmetric_drops_zeros_and_handles_ties()
    {
        double[] a = [1, 2, 2, 3, 5, 5, 5, 8, 9, 9, 10, 12];
        double[] b = [0, 0, 2, 1, 2, 3, 3, 1, 2, 4, 4, 5];
        var ab = PairedStatistics.Wilcoxon(a, b);
        var ba = PairedStatistics.Wilcoxon(b, a);
        Assert.Equal(11, ab.Pairs); // one zero difference dropped
        Assert.Equal(ab.PValue, ba.PValue, 12);
        Assert.True(ba.Lower() && ba.PValue < 0.01, $"p = {ba.PValue}");
        Assert.Equal(1.0, PairedStatistics.Wilcoxon([1, 2], [1, 2]).PValue);
        Assert.Throws<ArgumentException>(() => PairedStatistics.Wilcoxon([1], [1, 2]));
    }

    [Fact]
    public void The_bootstrap_interval_holds_the_median_and_shrinks_with_more_data()
    {
        var rng = new Random(1);
        var small = Enumerable.Range(0, 20).Select(_ => rng.NextDouble()).ToList();
        var large = Enumerable.Range(0, 2000).Select(_ => rng.NextDouble()).ToList();
        var (lo, hi) = PairedStatistics.MedianInterval(small);
        double median = MathNet.Numerics.Statistics.Statistics.Median(small);
        Assert.InRange(median, lo, hi);
        var (lo2, hi2) = PairedStatistics.MedianInterval(large);
        Assert.True(hi2 - lo2 < (hi - lo) / 3);
        Assert.Equal((lo, hi), PairedStatistics.MedianInterval(small)); // seeded
    }

    [Fact]
    public void Wilcoxon_normal_branch_matches_scipy_with_ties_zeros_and_continuity_correction()
    {
        // 60 pairs rounded to one decimal: 6 zero differences and many tied |differences|, so the normal approximation
        // with the tie and continuity corrections is used. Reference computed outside this project with SciPy 1.10.1
        // (Debian 12's python3-scipy): stats.wilcoxon(a, b, zero_method='wilcox', correction=True, method='approx')
        // gives statistic 266.0 (the smaller rank sum) and p = 4.058646295738375e-05.
        double[] a = [0.0, 1.4, 1.2, -0.5, -0.3, -0.5, 0.6, -0.1, 0.7, -1.8, 1.6, -0.1, 0.7, -0.1, -0.4, 0.5, 0.8, -0.2, -0.2, 0.7, -0.9, -1.5, 0.4, -0.7,
            -1.9, -0.8, -0.5, -1.2, -1.5, 0.0, 0.9, -0.2, -0.7, 0.4, 0.7, -0.3, 0.5, 1.0, -0.2, -0.8, 0.3, 0.2, 1.1, -1.3, -0.7, -0.8, -1.7, 0.1, 0.5, -0.7,
            1.4, 0.8, 0.6, 0.4, 1.0, -1.3, 0.6, 0.6, -1.8, 0.3];
        double[] b = [0.1, 1.8, 1.2, -0.4, -0.0, -0.6, 0.9, 0.0, 1.0, -1.8, 2.1, 0.2, 0.8, 0.2, 0.1, 1.2, 0.5, 0.2, 0.1, 0.8, -1.1, -1.0, 0.2, -0.4,
            -1.4, -1.1, -0.4, -1.4, -1.3, 0.6, 1.7, -0.6, -0.7, 0.8, 1.3, -0.0, 0.4, 1.2, -0.1, -0.7, 0.2, 0.5, 1.3, -1.2, -0.6, -1.0, -1.7, 0.6, 0.6, -1.0,
            2.0, 1.1, 1.4, 0.6, 1.0, -1.6, 1.1, 1.5, -1.9, 0.3];
        var test = PairedStatistics.Wilcoxon(a, b);
        Assert.Equal(54, test.Pairs);
        Assert.Equal(266.0, test.StatisticPlus); // a > b on the pairs whose ranks sum to 266
        Assert.Equal(4.058646295738375e-05, test.PValue, 1e-12);
        Assert.True(test.Lower());
    }

    [Fact]
    public void Quartiles_match_numpy_linear_interpolation()
    {
        // numpy 1.24.2: np.percentile(v, [25, 50, 75]) = [0.55, 2.2, 5.15] (its default, Hyndman and Fan's type 7).
        var q = Quartiles.Of([3.1, -0.4, 2.2, 7.5, 0.0, 1.1, 4.8, 2.2, -3.3, 9.0, 5.5, double.NaN]);
        Assert.Equal(11, q.Count); // the non-finite value is left out
        Assert.Equal(0.55, q.Q1, 12);
        Assert.Equal(2.2, q.Median, 12);
        Assert.Equal(5.15, q.Q3, 12);
    }

    /// <summary>Against SciPy 1.10's <c>binomtest(k, n, 0.5).pvalue</c> (two-sided) on the smaller discordant count k of n.</summary>
    [Theory]
    [InlineData(8, 2, 0.109375)]
    [InlineData(3, 15, 0.007537841796875)]
    [InlineData(6, 0, 0.03125)]
    [InlineData(5, 6, 1.0)]
    [InlineData(0, 1, 1.0)]
    [InlineData(0, 0, 1.0)]
    public void McNemar_matches_scipys_exact_binomial_test_on_the_discordant_pairs(int onlyFirst, int onlySecond, double p)
    {
        // Seven concordant pairs (both true or both false) change nothing.
        bool[] a = [.. Enumerable.Repeat(true, onlyFirst), .. Enumerable.Repeat(false, onlySecond), true, true, true, false, false, false, false];
        bool[] b = [.. Enumerable.Repeat(false, onlyFirst), .. Enumerable.Repeat(true, onlySecond), true, true, true, false, false, false, false];
        var test = PairedStatistics.McNemar(a, b);
        Assert.Equal((onlyFirst, onlySecond), (test.OnlyFirst, test.OnlySecond));
        Assert.Equal(p, test.PValue, 12);
    }

    [Fact]
    public void The_share_interval_holds_the_share_and_collapses_when_every_seed_agrees()
    {
        bool[] mixed = [true, false, true, true, false, true, false, true, true, true];
        var (low, high) = PairedStatistics.ShareInterval(mixed);
        Assert.InRange(0.7, low, high);
        Assert.True(low > 0.3 && high < 1.01 && high - low > 0.2);
        Assert.Equal((1.0, 1.0), PairedStatistics.ShareInterval([true, true, true]));
    }

    [Theory]
    [InlineData(0.041259765625, "p = 0.0413")]
    [InlineData(0.0499, "p = 0.0499")]
    [InlineData(1.0, "p = 1")]
    [InlineData(0.00099, "p < 0.001")]
    public void Every_p_value_is_written_one_way(double p, string expected) => Assert.Equal(expected, PairedStatistics.P(p));

    [Fact]
    public void The_difference_interval_is_the_interval_of_the_paired_differences()
    {
        // A constant shift: every resample's median difference is the shift.
        double[] b = [1, 5, 2, 8, 3];
        Assert.Equal((-0.5, -0.5), PairedStatistics.DifferenceInterval([.. b.Select(v => v - 0.5)], b));
        // Differences 1 .. 9 (paired in shuffled order): the interval lies within their range and holds their median, 5.
        double[] a = [10, 20, 30, 40, 50, 60, 70, 80, 90];
        double[] shifted = [.. a.Select((v, i) => v - (i * 4 % 9 + 1))];
        var (low, high) = PairedStatistics.DifferenceInterval(a, shifted);
        Assert.InRange(low, 1, 5);
        Assert.InRange(high, 5, 9);
    }
}
