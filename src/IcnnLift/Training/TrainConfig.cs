using System.Text.Json.Serialization;
using IcnnLift.Convex;
using IcnnLift.Data;
using IcnnLift.Diagnostics;
using IcnnLift.Flows;
using IcnnLift.Positivity;
using IcnnLift.Runtime;
using static TorchSharp.torch;

namespace IcnnLift.Training;

/// <summary>Everything that determines a run; written next to its results.</summary>
public sealed record TrainConfig
{
    /// <summary>The density model trained.</summary>
    public DensityTask Task { get; init; } = DensityTask.Ebm;
    /// <summary>Blocks of a flow (activation normalisation + gradient map of a convex potential).</summary>
    public int Blocks { get; init; } = 1;
    /// <summary>How a flow computes its log-determinants.</summary>
    public FlowOptions Flow { get; init; } = new();
    /// <summary>How the constrained weights are made.</summary>
    public PositivityMethod Method { get; init; } = PositivityMethod.Lift;
    /// <summary>Seed of the data split, the initial weights and the batch order.</summary>
    public int Seed { get; init; }
    /// <summary>Optimiser steps.</summary>
    public int Steps { get; init; } = 2000;
    /// <summary>Mini-batch size (also the lift's conditioning batch).</summary>
    public int BatchSize { get; init; } = 256;
    /// <summary>Learning rate.</summary>
    public double LearningRate { get; init; } = 5e-3;
    /// <summary>The optimiser.</summary>
    public OptimizerKind Optimizer { get; init; } = OptimizerKind.Adam;
    /// <summary>How the learning rate changes over the run.</summary>
    public LearningRateSchedule Schedule { get; init; } = LearningRateSchedule.Constant;
    /// <summary>When set, every constrained weight starts at softplus(level + 0.5 z), z ~ N(0, 1): how deep in the
    /// softplus shoulder training starts (null: the initialisation's own weights).</summary>
    public double? InitialLevel { get; init; }
    /// <summary>Learning rate of the lift's hypernetwork (encoder, decoder, head); null: <see cref="LearningRate"/>.</summary>
    public double? HypernetworkLearningRate { get; init; }
    /// <summary>Validate every this many steps.</summary>
    public int EvalEvery { get; init; } = 50;
    /// <summary>Hidden width of the ICNN.</summary>
    public int Width { get; init; } = 64;
    /// <summary>Hidden layers of the ICNN.</summary>
    public int Depth { get; init; } = 3;
    /// <summary>The ICNN's activation.</summary>
    public Activation Activation { get; init; } = Activation.Softplus;
    /// <summary>Strong-convexity weight alpha.</summary>
    public double Alpha { get; init; } = 0.01;
    /// <summary>How the weights start.</summary>
    public InitializationKind Initialization { get; init; } = InitializationKind.Default;
    /// <summary>How the ICNN's layers are built.</summary>
    public IcnnArchitecture Architecture { get; init; } = IcnnArchitecture.Dense;
    /// <summary>Every constrained weight starts at one value, the same for every seed and method (see <see cref="IcnnSpec.SymmetricInit"/>).</summary>
    public bool SymmetricInit { get; init; }
    /// <summary>Energy models: Gaussian adds the training data's Gaussian energy to the network (fixed); None does not.</summary>
    public EnergyBase Base { get; init; } = EnergyBase.None;
    /// <summary>The lift's hypernetwork.</summary>
    public LiftOptions Lift { get; init; } = new();
    /// <summary>Shoulder level sigma_s of the occupancy diagnostic.</summary>
    public double ShoulderSigma { get; init; } = Shoulder.DefaultSigma;
    /// <summary>Trailing window T of the slack-channel cross-covariance, in iterations; 0 turns the diagnostic off.</summary>
    public int CrossCovarianceWindow { get; init; } = 50;
    /// <summary>The cross-covariance is read every this many iterations.</summary>
    public int CrossCovarianceEvery { get; init; } = 50;
    /// <summary>Fresh training batches the lift family's batch noise is measured over at each evaluation; 0 turns it off.</summary>
    public int NoiseBatches { get; init; } = 16;
    /// <summary>Quadrature points per dimension; null: 512 in 1-D, 64 in 2-D.</summary>
    public int? GridPoints { get; init; }
    /// <summary>The quadrature box is the data's range widened by this fraction of it on each side.</summary>
    public double GridMargin { get; init; } = 0.5;
    /// <summary>Draws of the importance-sampling normaliser (energy models with d &gt; 2).</summary>
    public int ImportanceSamples { get; init; } = 2048;
    /// <summary>Widening of the importance proposal (see <see cref="Density.ImportanceSamplingNormalizer.Spread"/>).</summary>
    public double ProposalWiden { get; init; } = 1.5;
    /// <summary>Floating-point type of the run's tensors.</summary>
    public NumericPrecision Precision { get; init; } = NumericPrecision.Float32;
    /// <summary>Where the run's tensors live (<see cref="TorchRuntime.Initialize"/>).</summary>
    public ComputeDevice Device { get; init; } = ComputeDevice.Cpu;

    /// <summary>The momentum of <see cref="OptimizerKind.Sgd"/>.</summary>
    public const double SgdMomentum = 0.9;

    /// <summary>The network every method trains; for the matched-capacity control, widened to the lift's parameter count.</summary>
    public IcnnSpec NetworkSpec(int dimension) => new(dimension,
        PositivityMethods.MatchesLiftCapacity(Method) ? MatchedCapacity.Width(this, dimension) : Width, Depth, Activation, Alpha, Initialization, Base,
        Architecture, SymmetricInit);

    /// <summary>The method's command-line name, as run folders and tables show it.</summary>
    [JsonIgnore]
    public string MethodName => Choice.Name(Method);

    /// <summary>The TorchSharp type of <see cref="Precision"/>.</summary>
    [JsonIgnore]
    public ScalarType DType => Precision == NumericPrecision.Float64 ? ScalarType.Float64 : ScalarType.Float32;

    /// <summary>Checks every option; the message names the option.</summary>
    public TrainConfig Validated(int dimension)
    {
        if (Blocks < 1) throw new ArgumentException($"--blocks must be positive, got {Blocks}");
        Flow.Validate();
        if (Steps < 1) throw new ArgumentException($"--steps must be positive, got {Steps}");
        if (BatchSize < 1) throw new ArgumentException($"--batch-size must be positive, got {BatchSize}");
        if (!(LearningRate > 0) || double.IsInfinity(LearningRate)) throw new ArgumentException($"--lr must be a positive number, got {LearningRate}");
        if (HypernetworkLearningRate is double h && (!(h > 0) || double.IsInfinity(h)))
            throw new ArgumentException($"--hyper-lr must be a positive number, got {h}");
        if (InitialLevel is double level && !double.IsFinite(level)) throw new ArgumentException($"--init-level must be a finite number, got {level}");
        if (EvalEvery < 1) throw new ArgumentException($"--eval-every must be positive, got {EvalEvery}");
        if (Width < 1) throw new ArgumentException($"--width must be positive, got {Width}");
        if (Depth < 1) throw new ArgumentException($"--depth must be positive, got {Depth}");
        if (!(Alpha > 0) || double.IsInfinity(Alpha)) throw new ArgumentException($"--alpha must be a positive number, got {Alpha}");
        if (!(GridMargin >= 0) || double.IsInfinity(GridMargin)) throw new ArgumentException($"--grid-margin must be a non-negative number, got {GridMargin}");
        if (GridPoints is < 2) throw new ArgumentException($"--grid-points must be at least 2, got {GridPoints}");
        if (ImportanceSamples < 2) throw new ArgumentException($"--is-samples must be at least 2, got {ImportanceSamples}");
        if (!(ProposalWiden >= 1) || double.IsInfinity(ProposalWiden)) throw new ArgumentException($"--proposal-widen must be at least 1, got {ProposalWiden}");
        if (Base != EnergyBase.None && Task != DensityTask.Ebm) throw new ArgumentException($"--base {Choice.Name(Base)} is for energy models (--task ebm)");
        Shoulder.Threshold(ShoulderSigma);
        if (CrossCovarianceWindow is < 0 or 1) throw new ArgumentException($"--crosscov-window must be 0 (off) or at least 2, got {CrossCovarianceWindow}");
        if (NoiseBatches is < 0 or 1) throw new ArgumentException($"--noise-batches must be 0 (off) or at least 2, got {NoiseBatches}");
        if (CrossCovarianceEvery < 1) throw new ArgumentException($"--crosscov-every must be positive, got {CrossCovarianceEvery}");
        Lift.Validate();
        NetworkSpec(dimension).Validate();
        return this;
    }
}
