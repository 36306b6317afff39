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

    /// <summary>Where an experiment's run is one of decisive-1d's under another group name (the regime map's base point, toy-1d's and the
    /// mechanism's groups), it has the same configuration, data and role, so a results folder can lend it (DESIGN-CHOICES.md).</summary>
    [Theory]
    [InlineData("regime-map", "@base", 2 * (4 * 5 * 2 + 2 * (3 + 9) * 2))] // 4 methods x 5 seeds x 2 protocols, the tuning grid on 2 seeds
    [InlineData("toy-1d", "", 2 * (4 * 10 * 2 + 2 * (3 + 9) * 2))] // the Gumbel and the Laplace: decisive-1d's 10 seeds of 30
    [InlineData("mechanism", "", 3 * 5 * 2 + (3 + 9 + 9) * 2)] // softplus, lift-fixed and the lift of the five architectures
    public void Runs_that_are_decisive_1d_runs_under_another_name_have_its_configuration(string name, string suffix, int shared)
    {
        var decisive = Catalog.Get("decisive-1d").Runs(quick: false).ToDictionary(r => r.Key);
        string? Twin(string? name) => suffix.Length == 0 ? name : name?.Replace(suffix, "", StringComparison.Ordinal);
        var twins = Catalog.Get(name).Runs(quick: false).Select(r => (Run: r, Twin: decisive.GetValueOrDefault(Twin(r.Key)!)))
            .Where(p => p.Twin is not null).ToList();
        Assert.Equal(shared, twins.Count);
        Assert.All(twins, p => Assert.Equal((p.Twin!.Config, p.Twin.Data, p.Twin.Role, p.Twin.Basis),
            (p.Run.Config, p.Run.Data, p.Run.Role, Twin(p.Run.Basis))));
    }

    [Fact]
    public void Every_cell_of_the_regime_map_but_the_base_point_changes_its_configuration()
    {
        var lift = Catalog.Get("regime-map").Runs(quick: false)
            .First(r => r.Group == "gumbel@base" && r.Config.Method == IcnnLift.Positivity.PositivityMethod.Lift);
        Assert.All(Catalog.RegimeCells(quick: false).Where(c => !c.Tuned && c.Label != "base"), c => Assert.NotEqual(lift.Config, c.Apply(lift.Config)));
    }
}
