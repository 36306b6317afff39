using IcnnLift.Convex;
using IcnnLift.Data;
using IcnnLift.Diagnostics;
using IcnnLift.Positivity;
using IcnnLift.Targets;
using IcnnLift.Tests.Training;
using IcnnLift.Training;
using MathNet.Numerics.Statistics;
using TorchSharp;
using Xunit;
using static TorchSharp.torch;

namespace IcnnLift.Tests.Diagnostics;

public class BatchNoiseTests
{
    private const int D = 2;

    private static SoftplusReadout Strategy(PositivityMethod method, Tensor? fixedBatch = null)
    {
        var g = new Generator(5);
        var net = new InputConvexNetwork(new IcnnSpec(D, Width: 8, Depth: 3), g, ScalarType.Float64);
        // Head scale 1 and a start level near the shoulder's edge, so that both halves of the reading have members.
        Initialization.StartAt(net, -3, new Generator(6));
        return (SoftplusReadout)PositiveNetwork.Wrap(net, method, D, new LiftOptions(EncoderWidth: 8, DecoderWidth: 4, HeadScale: 1), g, fixedBatch)
            .Strategy;
    }

    private static List<Tensor> Batches(int k) =>
        Enumerable.Range(0, k).Select(i => randn([32, D], ScalarType.Float64, generator: new Generator((ulong)(100 + i)))).ToList();

    [Fact]
    public void The_reading_matches_per_coordinate_standard_deviations_and_r7_quantiles_computed_elementwise()
    {
        var lift = Strategy(PositivityMethod.Lift);
        var batches = Batches(6);
        var reading = BatchNoise.Measure(lift, batches, sigma: 0.05)!;

        // Reference: bodies as arrays, the sample sd of each coordinate and the quantiles by MathNet (R7 = NumPy's default).
        double[][] bodies;
        double[] b;
        using (no_grad())
        {
            bodies = batches.Select(x => lift.Body(x)!.data<double>().ToArray()).ToArray();
            b = (lift.PreReadout(batches[0]) - lift.Body(batches[0])!).data<double>().ToArray();
        }
        int count = bodies[0].Length;
        var sd = Enumerable.Range(0, count).Select(j => bodies.Select(r => r[j]).StandardDeviation()).ToArray();
        var pre = Enumerable.Range(0, count).Select(j => bodies.Select(r => r[j]).Average() + b[j]).ToArray();
        double edge = Math.Log(0.05 / 0.95);
        var shoulder = Enumerable.Range(0, count).Where(j => pre[j] < edge).ToArray();
        Assert.InRange(shoulder.Length, 1, count - 1);
        double Q(IEnumerable<double> v, double q) => Statistics.QuantileCustom(v, q, QuantileDefinition.R7);
        Assert.Equal(Q(sd, 0.5), reading.Median, 12);
        Assert.Equal(Q(sd, 0.9), reading.P90, 12);
        Assert.Equal(Q(shoulder.Select(j => sd[j]), 0.5), reading.ShoulderMedian, 12);
        Assert.Equal(Q(shoulder.Select(j => sd[j]), 0.9), reading.ShoulderP90, 12);
        Assert.Equal(Q(shoulder.Select(j => edge - pre[j]), 0.5), reading.ShoulderGap, 12);
        Assert.True(reading.Median > 0);
    }

    [Fact]
    public void Lift_fixed_reads_exactly_zero_and_direct_softplus_has_no_reading()
    {
        var fixedLift = Strategy(PositivityMethod.LiftFixed, randn([32, D], ScalarType.Float64, generator: new Generator(7)));
        var reading = BatchNoise.Measure(fixedLift, Batches(5))!;
        Assert.Equal(0.0, reading.Median);
        Assert.Equal(0.0, reading.P90);
        Assert.Null(BatchNoise.Measure(Strategy(PositivityMethod.Softplus), Batches(5)));
    }

    [Fact]
    public void A_run_logs_the_batch_noise_at_its_validation_steps_and_lift_fixed_starts_where_the_lift_does()
    {
        var target = Target.Get("gumbel");
        var data = Dataset.FromTarget(target, 300, 200, 200, 0);
        var fairStart = new LiftOptions(EncoderWidth: 8, DecoderWidth: 8, HeadScale: 0);
        var lift = Trainer.Train(TrainerTests.Small(PositivityMethod.Lift, steps: 40) with { Lift = fairStart }, data, target);
        var fixedLift = Trainer.Train(TrainerTests.Small(PositivityMethod.LiftFixed, steps: 40) with { Lift = fairStart }, data, target);
        var pgd = Trainer.Train(TrainerTests.Small(PositivityMethod.Pgd, steps: 40), data, target);
        var logged = lift.Metrics.Where(m => m.BatchNoise is not null).ToList();
        Assert.Equal(lift.Metrics.Where(m => m.ValidationNll is not null).Select(m => m.Step), logged.Select(m => m.Step));
        Assert.Equal(0.0, logged[0].BatchNoise!.Median); // the head starts at zero
        Assert.True(logged[^1].BatchNoise!.Median > 0);
        Assert.All(fixedLift.Metrics.Where(m => m.BatchNoise is not null), m => Assert.Equal(0.0, m.BatchNoise!.Median));
        Assert.All(pgd.Metrics, m => Assert.Null(m.BatchNoise));
        Assert.Equal(lift.Metrics[0].ValidationNll, fixedLift.Metrics[0].ValidationNll); // same network, same start
    }
}
