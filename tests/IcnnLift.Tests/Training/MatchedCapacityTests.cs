using IcnnLift.Positivity;
using IcnnLift.Training;
using TorchSharp;
using Xunit;
using static TorchSharp.torch;

namespace IcnnLift.Tests.Training;

public class MatchedCapacityTests
{
    private static long Count(TrainConfig config, int d)
    {
        var generator = new Generator(0);
        var density = DensityModels.Create(config, d, generator, randn(64, d, generator: generator));
        var model = PositiveNetwork.Wrap(density.Module, config.Method, d, config.Lift, generator);
        return model.parameters().Sum(p => p.numel());
    }

    [Theory]
    [InlineData(DensityTask.Ebm, 1, 1)]
    [InlineData(DensityTask.Ebm, 6, 1)]
    [InlineData(DensityTask.Flow, 2, 2)]
    public void The_counts_are_those_of_the_built_models_and_the_matched_width_is_the_narrowest_that_reaches_the_lift(DensityTask task, int d, int blocks)
    {
        var lift = new TrainConfig { Task = task, Blocks = blocks, Method = PositivityMethod.Lift, Width = 16, Depth = 3, ImportanceSamples = 16 };
        long liftCount = Count(lift, d);
        Assert.Equal(MatchedCapacity.Parameters(lift, d, 16, lift: true), liftCount);

        var matched = lift with { Method = PositivityMethod.SoftplusMatched };
        int width = matched.NetworkSpec(d).Width;
        Assert.Equal(MatchedCapacity.Width(lift, d), width);
        Assert.True(width > 16);
        Assert.True(Count(matched, d) >= liftCount);
        Assert.True(Count(matched with { Method = PositivityMethod.Softplus, Width = width - 1 }, d) < liftCount);
        Assert.Equal(16, (lift with { Method = PositivityMethod.Softplus }).NetworkSpec(d).Width); // the others keep the width
    }
}
