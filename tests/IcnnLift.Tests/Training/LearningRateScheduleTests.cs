using System.Text.Json;
using IcnnLift.Convex;
using IcnnLift.Positivity;
using IcnnLift.Training;
using TorchSharp;
using Xunit;
using static TorchSharp.torch;

namespace IcnnLift.Tests.Training;

public class LearningRateScheduleTests
{
    [Theory]
    [InlineData("constant", "constant")]
    [InlineData(" Cosine", "cosine")]
    [InlineData("step:2000", "step:2000:0.5")]
    [InlineData("step:100:0.1", "step:100:0.1")]
    public void Parses_its_names_and_writes_them_back(string text, string written)
    {
        var schedule = LearningRateSchedule.Parse(text);
        Assert.Equal(written, schedule.ToString());
        Assert.Equal(schedule, JsonSerializer.Deserialize<LearningRateSchedule>(JsonSerializer.Serialize(schedule)));
    }

    [Theory]
    [InlineData("linear")]
    [InlineData("step")]
    [InlineData("step:0")]
    [InlineData("step:-5:0.5")]
    [InlineData("step:10:1.5")]
    [InlineData("step:10:nan")]
    [InlineData("step:ten")]
    [InlineData("cosine:3")]
    public void Refuses_what_is_not_a_schedule(string text) => Assert.Throws<ArgumentException>(() => LearningRateSchedule.Parse(text));

    /// <summary>Every parameter group (the network's and the lift's hypernetwork's, at their own rates) follows the closed
    /// form: rate x gamma^floor(t / size) for step decay, rate x (1 + cos(pi t / T)) / 2 for cosine annealing over T steps.</summary>
    [Theory]
    [InlineData("step:3:0.5")]
    [InlineData("cosine")]
    public void Scales_every_parameter_group_as_its_closed_form_says(string text)
    {
        const int steps = 10;
        var g = new Generator(1);
        var net = new InputConvexNetwork(new IcnnSpec(1, Width: 4, Depth: 2), g, ScalarType.Float32);
        var model = PositiveNetwork.Wrap(net, PositivityMethod.Lift, 1, new LiftOptions(EncoderWidth: 4, DecoderWidth: 2), g);
        var config = new TrainConfig { LearningRate = 0.01, HypernetworkLearningRate = 0.002, Schedule = LearningRateSchedule.Parse(text) };
        var optimizer = Trainer.CreateOptimizer(model, config);
        var scheduler = config.Schedule.Create(optimizer, steps)!;
        double Factor(int t) => text == "cosine" ? (1 + Math.Cos(Math.PI * t / steps)) / 2 : Math.Pow(0.5, t / 3);
        for (int t = 1; t <= steps; t++)
        {
            optimizer.step();
            scheduler.step();
            var rates = optimizer.ParamGroups.Select(p => p.LearningRate).ToList();
            Assert.Equal(2, rates.Count);
            Assert.Equal(0.01 * Factor(t), rates[0], 1e-9);
            Assert.Equal(0.002 * Factor(t), rates[1], 1e-9);
        }
    }

    [Fact]
    public void A_constant_rate_has_no_scheduler_and_is_the_default()
    {
        Assert.Equal(LearningRateSchedule.Constant, new TrainConfig().Schedule);
        Assert.Null(LearningRateSchedule.Constant.Create(null!, 10));
    }
}
