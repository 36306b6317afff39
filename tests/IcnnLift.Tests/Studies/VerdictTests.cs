using IcnnLift.Studies.Reproduction;
using Xunit;
using static IcnnLift.Studies.Reproduction.Report;

namespace IcnnLift.Tests.Studies;

/// <summary>The report's verdicts, judged on hand-made observations (no training): what "reproduced", "not reproduced"
/// and "inconclusive" rest on.</summary>
public class VerdictTests
{
    private static Experiment Claim(bool acrossGroups = false) =>
        new("claim", "lift below pgd", "test_nll", _ => [], [("lift", "pgd")], 1, 1, [], PairAcrossGroups: acrossGroups);

    /// <summary>Seeds 0..n-1 of lift and pgd in <paramref name="group"/>; lift's value is pgd's plus <paramref name="shift"/>(seed).</summary>
    private static IEnumerable<Observation> Pairs(string group, int n, Func<int, double> shift) =>
        Enumerable.Range(0, n).SelectMany(s => new[] { new Observation(group, "pgd", s, 1.0 + 0.01 * s), new Observation(group, "lift", s,
            1.0 + 0.01 * s + shift(s)) });

    [Fact]
    public void Lower_in_every_group_with_enough_seeds_is_reproduced()
    {
        var (verdict, findings) = Verdict(Claim(), [.. Pairs("a", 10, s => -0.1 - 0.01 * s), .. Pairs("b", 8, s => -0.05 - 0.001 * s)]);
        Assert.Equal(Reproduced, verdict);
        Assert.Equal(2, findings.Count);
        Assert.StartsWith("a: lift vs pgd on test NLL (nats): lower (p = 0.00195), median difference -0.145 [", findings[0]); // p = 2/2^10
        Assert.Contains("8 paired seeds", findings[1]);
        // The effect's interval: a bootstrap of the median of the differences -0.10 .. -0.19, so inside their range and around the median.
        var interval = System.Text.RegularExpressions.Regex.Match(findings[0], @"\[(\S+), (\S+)\] nats, 10 paired seeds");
        Assert.True(interval.Success, findings[0]);
        double low = double.Parse(interval.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture);
        double high = double.Parse(interval.Groups[2].Value, System.Globalization.CultureInfo.InvariantCulture);
        Assert.InRange(low, -0.19, -0.145);
        Assert.InRange(high, -0.145, -0.10);
    }

    [Fact]
    public void Lower_in_one_group_only_is_not_reproduced()
    {
        var (verdict, findings) = Verdict(Claim(), [.. Pairs("a", 10, s => -0.1 - 0.01 * s), .. Pairs("b", 10, s => s % 2 == 0 ? 0.02 * s : -0.02 * s)]);
        Assert.Equal(NotReproduced, verdict);
        Assert.Contains("b: lift vs pgd on test NLL (nats): no difference detected", findings[1]);
    }

    [Fact]
    public void Three_seeds_cannot_decide_unless_the_other_way_is_significant()
    {
        var (verdict, findings) = Verdict(Claim(), [.. Pairs("a", 3, s => -0.1)]);
        Assert.Equal(Inconclusive, verdict);
        Assert.Equal("a: with 3 paired seeds the smallest two-sided p is 0.25: this scale cannot reach p < 0.05", findings[0]);

        // The same three seeds beside a group where lift is significantly higher: the numbers do decide, against the claim.
        (verdict, _) = Verdict(Claim(), [.. Pairs("a", 3, s => -0.1), .. Pairs("b", 10, s => 0.1 + 0.01 * s)]);
        Assert.Equal(NotReproduced, verdict);
    }

    [Fact]
    public void Pairing_across_groups_also_needs_a_lower_median_in_every_group()
    {
        // Ten groups of three seeds: lower in nine groups, higher in the last; 30 pairs together are significant.
        var observations = Enumerable.Range(0, 10).SelectMany(g => Pairs($"class-{g}", 3, s => g < 9 ? -0.1 - 0.01 * s : 0.05)).ToList();
        var (verdict, findings) = Verdict(Claim(acrossGroups: true), observations);
        Assert.Equal(NotReproduced, verdict);
        Assert.Contains("all groups: lift vs pgd on test NLL (nats): lower", findings[0]);
        Assert.EndsWith("30 paired (group, seed) pairs; lower median in 9 of 10 groups", findings[0]);

        var allLower = Enumerable.Range(0, 10).SelectMany(g => Pairs($"class-{g}", 3, s => -0.1 - 0.01 * s)).ToList();
        Assert.Equal(Reproduced, Verdict(Claim(acrossGroups: true), allLower).Verdict);
    }
}
