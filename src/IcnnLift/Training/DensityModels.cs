using IcnnLift.Convex;
using IcnnLift.Density;
using IcnnLift.Flows;
using IcnnLift.Runtime;
using static TorchSharp.torch;

namespace IcnnLift.Training;

/// <summary>The grid of a quadrature normaliser, as saved with a run.</summary>
public sealed record GridSpec(double[] Lower, double[] Upper, int Points)
{
    /// <summary>The grid of a quadrature normaliser.</summary>
    public static GridSpec Of(QuadratureNormalizer q) => new(q.Lower, q.Upper, q.PointsPerDimension);

    /// <summary>The quadrature normaliser of this grid.</summary>
    public QuadratureNormalizer Normalizer() => new(Lower, Upper, Points);
}

/// <summary>Builds the density model a configuration names.</summary>
public static class DensityModels
{
    /// <summary>Most training rows (the first ones, already shuffled) the data-dependent normalisations are initialised
    /// from: their means and scales are steady long before that (CP-Flow takes one batch), while a pass over a large
    /// training set costs seconds and gigabytes.</summary>
    public const int InitializationRows = 4096;

    /// <summary>A fresh model for <paramref name="train"/>: the energy model's normaliser covers the training data;
    /// the network's normalisations are initialised from its first rows (with the initial weights, the same for every method).</summary>
    public static IDensityModel Create(TrainConfig config, int dimension, Generator generator, Tensor train)
    {
        var first = train.shape[0] > InitializationRows ? train.narrow(0, 0, InitializationRows) : train;
        if (config.Task == DensityTask.Ebm)
        {
            var energy = new InputConvexNetwork(config.NetworkSpec(dimension), generator, config.DType);
            if (config.InitialLevel is double level) Initialization.StartAt(energy, level, generator);
            energy.InitializeFrom(first);
            if (config.Base == EnergyBase.Gaussian) energy.FitGaussianBase(train);
            return new LogConcaveDensity(energy, dimension <= 2
                ? QuadratureNormalizer.Covering(train, config.GridMargin, config.GridPoints).Use(config.DType)
                : ImportanceSampler(config, dimension, train));
        }
        var flow = new ConvexPotentialFlow(config.NetworkSpec(dimension), config.Blocks, generator, config.DType, config.Flow, ProbeSeed(config));
        if (config.InitialLevel is double start) Initialization.StartAt(flow, start, generator);
        flow.InitializeFrom(first);
        return flow;
    }

    /// <summary>An empty model of the saved shape, to load saved weights into (then <see cref="LogConcaveDensity.Refit"/>).</summary>
    public static IDensityModel Rebuild(TrainConfig config, IcnnSpec network, GridSpec? grid) => config.Task == DensityTask.Ebm
        ? new LogConcaveDensity(new InputConvexNetwork(network, TorchRuntime.NewGenerator(0), config.DType),
            grid is null ? ImportanceSampler(config, network.Dimension, null) : grid.Normalizer().Use(config.DType))
        : new ConvexPotentialFlow(network, config.Blocks, TorchRuntime.NewGenerator(0), config.DType, config.Flow, ProbeSeed(config));

    /// <summary>After a saved model's weights are loaded: an importance sampler takes the network's Gaussian base (the
    /// training data's Gaussian) as the data component of its proposal, as in training; then the proposal is refitted.</summary>
    public static void AfterLoad(IDensityModel model)
    {
        if (model is not LogConcaveDensity density) return;
        if (density.Normalizer is ImportanceSamplingNormalizer sampler && density.Energy.GaussianBase is var (mean, covariance))
            sampler.UseDataComponent(mean, covariance);
        density.Refit();
    }

    /// <summary>The probe stream is its own, so that it does not shift the network's initial weights.</summary>
    private static ulong ProbeSeed(TrainConfig config) => unchecked((ulong)config.Seed * 2_654_435_761UL + 1);

    /// <summary>The model's quadrature grid, or null.</summary>
    public static GridSpec? Grid(IDensityModel model) => model.QuadratureGrid is { } q ? GridSpec.Of(q) : null;

    /// <summary>The importance sampler; with <paramref name="train"/>, its proposal includes the data's Gaussian.</summary>
    private static ImportanceSamplingNormalizer ImportanceSampler(TrainConfig config, int dimension, Tensor? train)
    {
        var sampler = new ImportanceSamplingNormalizer(dimension, config.ImportanceSamples, config.ProposalWiden, ProbeSeed(config), config.DType);
        if (train is not null) sampler.UseDataComponent(train);
        return sampler;
    }
}
