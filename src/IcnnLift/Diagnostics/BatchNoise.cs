using IcnnLift.Positivity;
using MathNet.Numerics.Statistics;
using TorchSharp;
using static TorchSharp.torch;

namespace IcnnLift.Diagnostics;

/// <summary>How much the lift's body moves from batch to batch, per constrained coordinate: the standard deviation
/// of h_phi(X) over fresh batches X (its median and 90th percentile over all coordinates, and over the coordinates in
/// the softplus shoulder), beside how far the shoulder's coordinates sit below its edge (median of logit(sigma_s) - t,
/// t the pre-readout at the mean body). Noise well below that distance cannot carry a coordinate out of the shoulder.</summary>
public sealed record BatchNoiseReading(double Median, double P90, double ShoulderMedian, double ShoulderP90, double ShoulderGap);

/// <summary>Measures the batch noise of the lift's body.</summary>
public static class BatchNoise
{
    /// <summary>The reading for <paramref name="readout"/> over <paramref name="batches"/> (each [n, d]); null where the
    /// method has no body (direct softplus). Shoulder figures are NaN when no coordinate is in the shoulder.</summary>
    public static BatchNoiseReading? Measure(SoftplusReadout readout, IReadOnlyList<Tensor> batches, double sigma = Shoulder.DefaultSigma)
    {
        if (batches.Count < 2) throw new ArgumentException("the batch noise needs at least two batches");
        using var scope = NewDisposeScope();
        using var _ = no_grad();
        var bodies = new List<Tensor>(batches.Count);
        foreach (var batch in batches)
        {
            if (readout.Body(batch) is not { } body) return null;
            bodies.Add(body.to_type(ScalarType.Float64));
        }
        var stacked = stack(bodies);
        var spread = stacked.std(0L, unbiased: true);
        var pre = readout.PreReadout(batches[0]).to_type(ScalarType.Float64) - bodies[0] + stacked.mean([0L]);
        double edge = Shoulder.Threshold(sigma);
        var inShoulder = pre.lt(edge);
        var shoulderSpread = spread.masked_select(inShoulder);
        var gap = (edge - pre).masked_select(inShoulder);
        return new BatchNoiseReading(Quantile(spread, 0.5), Quantile(spread, 0.9), Quantile(shoulderSpread, 0.5), Quantile(shoulderSpread, 0.9),
            Quantile(gap, 0.5));
    }

    /// <summary>The q-quantile with linear interpolation between order statistics (R7, NumPy's default); NaN for no values.</summary>
    private static double Quantile(Tensor values, double q) => values.numel() == 0
        ? double.NaN
        : Statistics.QuantileCustom(values.to_type(ScalarType.Float64).cpu().data<double>().ToArray(), q, QuantileDefinition.R7);
}
