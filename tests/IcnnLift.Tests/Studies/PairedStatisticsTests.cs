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
}
