using System.Text.Json;
using IcnnLift.Positivity;
using IcnnLift.Studies;
using IcnnLift.Studies.Reproduction;
using IcnnLift.Training;
using Xunit;

namespace IcnnLift.Tests.Studies;

/// <summary>The tuned protocol, judged on hand-made run folders (no training): the choice follows the median best
/// validation NLL, waits for unfinished tuning runs, and never uses evaluation seeds.</summary>
public sealed class TuningTests : IDisposable
{
    private readonly string _folder = Path.Combine(Path.GetTempPath(), $"icnn-lift-tuning-{Guid.NewGuid():N}");

    public void Dispose()
    {
        if (Directory.Exists(_folder)) Directory.Delete(_folder, recursive: true);
    }

    private static readonly DataSource Data = new("gumbel", null);
    private static readonly Tuning Grid = new([1e-3, 5e-3, 2e-2], [1000, 1001, 1002]);

    private static IReadOnlyList<PlannedRun> Plan(PositivityMethod method)
    {
        var config = new TrainConfig { Method = method };
        return [.. Grid.Plan("g", Data, config, c => c), new PlannedRun("g" + Tuning.TunedSuffix, Data, config, RunRole.Tuned, "g")];
    }

    private void Finish(PlannedRun run, double validationNll)
    {
        var path = Sweep.RunPath(_folder, run);
        Directory.CreateDirectory(path);
        var result = new RunResult
        {
            Target = "gumbel", Method = run.Config.MethodName, Seed = run.Config.Seed, BestStep = 1, BestValidationNll = validationNll, TestNll = 9,
            StepsRun = 1, FinalShoulderOccupancy = double.NaN, Seconds = 1,
        };
        File.WriteAllText(Path.Combine(path, "result.json"), JsonSerializer.Serialize(result, RunFolder.Json));
    }

    [Fact]
    public void The_candidate_with_the_lowest_median_validation_nll_is_chosen_and_the_run_waits_until_all_are_finished()
    {
        var plan = Plan(PositivityMethod.Softplus);
        var tuning = plan.Where(r => r.Role == RunRole.Tuning).ToList();
        Assert.Equal(9, tuning.Count); // 3 rates x 3 seeds
        // Medians by rate: 1e-3 -> 2.0; 5e-3 -> 1.5 (one seed diverged: ranks as worst, the median holds); 2e-2 -> 1.7 (a lucky seed at 0.1).
        var values = new Dictionary<double, double[]> { [1e-3] = [2.0, 2.1, 1.9], [5e-3] = [1.5, double.NaN, 1.4], [2e-2] = [0.1, 1.7, 1.8] };
        foreach (var run in tuning.Take(8))
            Finish(run, values[run.Config.LearningRate][Array.IndexOf(Grid.Seeds, run.Config.Seed)]);
        var tuned = plan[^1];
        Assert.Null(Tuning.Resolve(_folder, plan, tuned));
        Finish(tuning[8], values[tuning[8].Config.LearningRate][Array.IndexOf(Grid.Seeds, tuning[8].Config.Seed)]);
        var resolved = Tuning.Resolve(_folder, plan, tuned)!;
        Assert.Equal(5e-3, resolved.Config.LearningRate);
        Assert.Null(resolved.Config.HypernetworkLearningRate);
        Assert.Equal(tuned.Config with { LearningRate = 5e-3 }, resolved.Config);
        var ranking = Tuning.Ranking(_folder, plan, tuned)!;
        Assert.Equal([5e-3, 2e-2, 1e-3], ranking.Select(r => r.Candidate.LearningRate));
        Assert.Equal([1.5, 1.7, 2.0], ranking.Select(r => r.MedianValidationNll));
    }

    [Fact]
    public void A_hypernetwork_gets_both_rates_from_the_grid_and_ties_go_to_the_grid_order()
    {
        var plan = Plan(PositivityMethod.Lift);
        var tuning = plan.Where(r => r.Role == RunRole.Tuning).ToList();
        Assert.Equal(27, tuning.Count); // 3 x 3 pairs x 3 seeds
        foreach (var run in tuning)
            Finish(run, run.Config.HypernetworkLearningRate == 2e-2 && run.Config.LearningRate >= 5e-3 ? 1.0 : 3.0);
        var resolved = Tuning.Resolve(_folder, plan, plan[^1])!;
        Assert.Equal((5e-3, 2e-2), (resolved.Config.LearningRate, resolved.Config.HypernetworkLearningRate));
    }

    [Fact]
    public void Every_experiment_tunes_on_seeds_it_does_not_evaluate_on_and_names_each_run_once()
    {
        foreach (var experiment in Catalog.All)
            foreach (bool quick in new[] { true, false })
            {
                var plan = experiment.Plan(quick);
                Assert.Equal(plan.Count, plan.Select(r => r.Key).Distinct().Count());
                var tuningSeeds = plan.Where(r => r.Role == RunRole.Tuning).Select(r => r.Config.Seed).ToHashSet();
                Assert.DoesNotContain(plan.Where(r => r.Role != RunRole.Tuning), r => tuningSeeds.Contains(r.Config.Seed));
                Assert.All(plan.Where(r => r.Role == RunRole.Tuned), r => Assert.Contains(plan, t => t.Role == RunRole.Tuning && t.Basis == r.Basis
                    && t.Config.Method == r.Config.Method));
            }
    }
}
