using IcnnLift.Density;
using IcnnLift.Targets;
using Xunit;

namespace IcnnLift.Tests.Targets;

/// <summary>Each sampler against its density: the density integrates to one, and the sample mean, variance
/// and mean log-density (minus the entropy) agree with the density's own, by quadrature, within a few
/// standard errors. A sampler with the wrong scale, location or shape fails at least one of them.</summary>
public class TargetTests
{
    public static TheoryData<string> WithDensity => new(Target.Names.Where(n => Target.Get(n) is { HasDensity: true, Dimension: <= 2 }));

    [Theory]
    [MemberData(nameof(WithDensity))]
    public void Sampler_agrees_with_the_density(string name)
    {
        var target = Target.Get(name);
        const int n = 40_000;
        var samples = target.Sample(n, new Random(42));
        int d = target.Dimension;
        var lower = Enumerable.Range(0, d).Select(j => samples.Min(s => s[j]) - 2.0).ToArray();
        var upper = Enumerable.Range(0, d).Select(j => samples.Max(s => s[j]) + 2.0).ToArray();
        var q = new QuadratureNormalizer(lower, upper, d == 1 ? 20_000 : 600);
        var p = q.Points.Select(x => Math.Exp(target.LogDensity(x))).ToArray();
        Assert.Equal(1.0, p.Sum() * q.CellVolume, 2e-3);

        for (int j = 0; j < d; j++)
        {
            double mean = q.Points.Select((x, i) => x[j] * p[i]).Sum() * q.CellVolume;
            double variance = q.Points.Select((x, i) => (x[j] - mean) * (x[j] - mean) * p[i]).Sum() * q.CellVolume;
            double sampleMean = samples.Average(s => s[j]);
            double sampleVariance = samples.Average(s => (s[j] - sampleMean) * (s[j] - sampleMean));
            Assert.InRange(sampleMean, mean - 5 * Math.Sqrt(variance / n), mean + 5 * Math.Sqrt(variance / n));
            Assert.InRange(sampleVariance / variance, 0.95, 1.05);
        }
        double entropy = -q.Points.Select((x, i) => p[i] > 0 ? p[i] * Math.Log(p[i]) : 0).Sum() * q.CellVolume;
        double meanLogDensity = samples.Average(target.LogDensity);
        Assert.Equal(-entropy, meanLogDensity, 0.03);
    }

    [Theory]
    [InlineData("2spirals", 2)]
    [InlineData("tabular-6d", 6)]
    [InlineData("tabular-21d", 21)]
    public void Targets_without_a_closed_form_density_sample_finite_rows_of_their_dimension(string name, int d)
    {
        var target = Target.Get(name);
        Assert.False(target.HasDensity);
        var rows = target.Sample(500, new Random(3));
        Assert.All(rows, r => Assert.Equal(d, r.Length));
        Assert.All(rows, r => Assert.All(r, v => Assert.True(double.IsFinite(v))));
        // Not degenerate: every coordinate varies.
        for (int j = 0; j < d; j++) Assert.True(rows.Select(r => r[j]).Distinct().Count() > 400);
        Assert.Throws<InvalidOperationException>(() => target.LogDensity(rows[0]));
    }

    [Fact]
    public void Sampling_is_reproducible_by_seed()
    {
        var t = Target.Get("gumbel");
        Assert.Equal(t.Sample(5, new Random(1)).Select(r => r[0]), t.Sample(5, new Random(1)).Select(r => r[0]));
    }

    [Fact]
    public void Unknown_target_lists_the_known_ones()
    {
        var e = Assert.Throws<ArgumentException>(() => Target.Get("cauchy"));
        Assert.Contains("gumbel", e.Message);
    }
}
