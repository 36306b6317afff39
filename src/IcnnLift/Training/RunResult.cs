using IcnnLift.Diagnostics;

namespace IcnnLift.Training;

/// <summary>One row of a run's per-iteration log. Validation NLL is set at evaluation steps only;
/// occupancy is NaN for methods without a softplus readout.
/// The training loss is the batch NLL, except for flows with the stochastic log-determinant (a surrogate) and
/// ADMM (plus its augmented-Lagrangian penalty); the ADMM columns are set for ADMM only.</summary>
public sealed record MetricsRow(int Step, double TrainLoss, double? ValidationNll, double ShoulderOccupancy, AdmmState? Admm = null)
{
    /// <summary>||Sigma||_F of the slack-channel cross-covariance, at the steps where it is read.</summary>
    public double? CrossCovariance { get; init; }

    /// <summary>The lift family's batch noise, at evaluation steps.</summary>
    public BatchNoiseReading? BatchNoise { get; init; }
}

/// <summary>ADMM's penalty and residuals after a step.</summary>
public sealed record AdmmState(double Rho, double PrimalResidual, double DualResidual);

/// <summary>What a run reports: the test figures at its best-validation checkpoint.</summary>
public sealed record RunResult
{
    /// <summary>The data's name.</summary>
    public required string Target { get; init; }
    /// <summary>The method's name (a study's rows also hold baselines that are not methods, such as "gaussian").</summary>
    public required string Method { get; init; }
    /// <summary>The run's seed.</summary>
    public required int Seed { get; init; }
    /// <summary>The step of the best validation NLL (the checkpoint kept).</summary>
    public required int BestStep { get; init; }
    /// <summary>The best validation NLL.</summary>
    public required double BestValidationNll { get; init; }
    /// <summary>The test NLL at the checkpoint, in nats.</summary>
    public required double TestNll { get; init; }
    /// <summary>Total-variation distance to the true density (known targets only).</summary>
    public double? TotalVariation { get; init; }
    /// <summary>Expected NLL under the true density, by quadrature: no test-sample noise (known targets only).</summary>
    public double? CrossEntropy { get; init; }
    /// <summary>KL(target || model) by quadrature: cross-entropy less the target's entropy (known targets, d &lt;= 2).</summary>
    public double? ExcessCrossEntropy { get; init; }
    /// <summary>Share of the target's modes holding at least half their share of the model's mass (8gaussians; see
    /// <see cref="Density.DensityModelExtensions.CompareWith"/>).</summary>
    public double? ModeCoverage { get; init; }
    /// <summary>log Z of the energy model (flows are normalised by construction).</summary>
    public double? LogZ { get; init; }
    /// <summary>Monte Carlo standard error of log Z (and so of the test NLL) when it is importance-sampled.</summary>
    public double? LogZStandardError { get; init; }
    /// <summary>Effective sample size of the importance weights.</summary>
    public double? EffectiveSampleSize { get; init; }
    /// <summary>A caveat on the figures, such as an importance-sampling estimate with too few effective samples.</summary>
    public string? Warning { get; init; }
    /// <summary>Steps taken (fewer than configured when stopped early).</summary>
    public required int StepsRun { get; init; }
    /// <summary>Shoulder occupancy at the end.</summary>
    public required double FinalShoulderOccupancy { get; init; }
    /// <summary>Share of the constrained weights at the best checkpoint below <see cref="Trainer.NearZeroWeight"/>, for every
    /// method alike: beside the softplus family's occupancy it tells a sparse optimum (PGD's share as high) from a trap.</summary>
    public double? NearZeroWeightShare { get; init; }
    /// <summary>Time average of the slack-channel cross-covariance readings (softplus-family methods with the diagnostic on).</summary>
    public double? MeanCrossCovariance { get; init; }
    /// <summary>Set when the loss stopped being finite: training stopped there and the best checkpoint was kept.</summary>
    public string? Stopped { get; init; }

    /// <summary>Why the run's figures cannot be trusted as numbers: it stopped on a non-finite loss, or its test NLL is
    /// not finite. Null for a sound run.</summary>
    [System.Text.Json.Serialization.JsonIgnore]
    public string? NonFinite => Stopped ?? (double.IsFinite(TestNll) ? null : $"the test NLL at the best checkpoint (step {BestStep}) is {TestNll}");
    /// <summary>Wall-clock seconds of the run.</summary>
    public required double Seconds { get; init; }
}
