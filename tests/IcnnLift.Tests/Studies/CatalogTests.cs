using IcnnLift.Studies.Reproduction;
using Xunit;

namespace IcnnLift.Tests.Studies;

public class CatalogTests
{
    [Theory]
    [InlineData("dimension-scaling", false)]
    [InlineData("decisive-1d", true)]
    public void Beyond_paper_scale_runs_every_group_method_and_role_at_the_given_seeds_and_keeps_the_tuning_runs(string name, bool quick)
    {
        var experiment = Catalog.Get(name);
        var plan = experiment.Plan(quick);
        var wider = experiment.Runs(quick, seeds: 7);
        Assert.Equal(plan.Where(r => r.Role == RunRole.Tuning).Select(r => r.Key), wider.Where(r => r.Role == RunRole.Tuning).Select(r => r.Key));
        var evaluated = wider.Where(r => r.Role != RunRole.Tuning).GroupBy(r => (r.Group, r.Config.Method, r.Role)).ToList();
        Assert.Equal(plan.Where(r => r.Role != RunRole.Tuning).Select(r => (r.Group, r.Config.Method, r.Role)).Distinct().Count(), evaluated.Count);
        Assert.All(evaluated, g => Assert.Equal(Enumerable.Range(0, 7), g.Select(r => r.Config.Seed)));
        // Only the seed differs from the catalogue's run.
        var first = plan.First(r => r.Role != RunRole.Tuning);
        Assert.Equal(first.Config, wider.First(r => r.Key == first.Key).Config);
        Assert.Equal(first.Config with { Seed = 6 }, wider.Single(r => r.Group == first.Group && r.Config.Method == first.Config.Method
            && r.Role == first.Role && r.Config.Seed == 6).Config);
        Assert.Equal(plan.Select(r => r.Key), experiment.Runs(quick).Select(r => r.Key));
    }
}
