using IcnnLift.Convex;

namespace IcnnLift.Training;

/// <summary>
/// The matched-capacity control: direct softplus on a wider network, the narrowest whose trainable
/// parameters are at least the lift's (network plus hypernetwork) at the configured width. It answers
/// "is the lift's gain just its extra parameters?"; it is the one method whose network differs.
/// </summary>
public static class MatchedCapacity
{
    /// <summary>Free parameters of one ICNN: the input maps A_l x + b_l of every layer and a_L x + c.</summary>
    public static long FreeParameters(int dimension, int width, int depth) => (long)depth * (width * dimension + width) + dimension + 1;

    /// <summary>Constrained coordinates of one ICNN: W_1 .. W_{L-1} and w_L.</summary>
    public static long ConstrainedCoordinates(int width, int depth) => (long)(depth - 1) * width * width + width;

    /// <summary>Trainable parameters (the free ones and the strategy's: t for softplus, phi and b for the lift) of
    /// the lift (<paramref name="lift"/> true) or direct softplus for <paramref name="config"/>'s task at <paramref name="width"/>.</summary>
    public static long Parameters(TrainConfig config, int dimension, int width, bool lift)
    {
        int blocks = config.Task == DensityTask.Flow ? config.Blocks : 1;
        long actNorm = config.Task == DensityTask.Flow ? 2L * dimension : 0;
        long constrained = blocks * ConstrainedCoordinates(width, config.Depth);
        long free = blocks * (FreeParameters(dimension, width, config.Depth) + actNorm);
        var (encoder, decoder) = (config.Lift.EncoderWidth, config.Lift.DecoderWidth);
        return lift
            ? free + dimension * encoder + encoder + encoder * decoder + decoder + decoder * constrained + constrained
            : free + constrained;
    }

    /// <summary>The narrowest width at which direct softplus has at least the lift's parameters at the configured width.</summary>
    public static int Width(TrainConfig config, int dimension)
    {
        long target = Parameters(config, dimension, config.Width, lift: true);
        int width = config.Width;
        while (Parameters(config, dimension, width, lift: false) < target) width++;
        return width;
    }
}
