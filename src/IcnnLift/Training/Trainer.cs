using System.Diagnostics;
using IcnnLift.Convex;
using IcnnLift.Data;
using IcnnLift.Density;
using IcnnLift.Diagnostics;
using IcnnLift.Positivity;
using IcnnLift.Runtime;
using IcnnLift.Targets;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace IcnnLift.Training;

/// <summary>A trained density model with collapsed weights (plain convex networks), its result and its log.</summary>
public sealed record TrainedModel(IDensityModel Model, RunResult Result, IReadOnlyList<MetricsRow> Metrics, DataSplits Splits);

/// <summary>How many rows each split of a run's data had.</summary>
public sealed record DataSplits(int Train, int Validation, int Test);

/// <summary>What an observer of a run sees after each step (and once before the first, at step 0): the wrapped
/// network at its training iterate, the density model that reads it, the training rows and the reference rows
/// the evaluation weights are collapsed on. All of it lives only until the run returns.</summary>
public sealed record TrainingProgress(int Step, PositiveNetwork Model, IDensityModel Density, Tensor Train, Tensor Reference);

/// <summary>
/// Maximum-likelihood training of a density model (DESIGN section 3): Adam, validation every k steps
/// on the evaluation weights (collapsed for the lift), the checkpoint with the lowest validation NLL kept,
/// test figures at that checkpoint. Everything random comes from the seed: the network's and the
/// hypernetwork's initial weights from one generator, the data order from another, so methods that share a
/// seed share the initial network and the batches.
/// </summary>
public static class Trainer
{
    /// <summary>Most training rows the lift's collapsed weights are computed from (the first ones, already shuffled).</summary>
    public const int ReferenceRows = 50_000;

    /// <summary>Rows of the fixed reference batch the cross-covariance measures the body's batch noise against.</summary>
    public const int CrossCovarianceReferenceRows = 256;

    /// <summary>A constrained weight below this counts as near zero: softplus(t) &lt; 0.05 where t &lt; -2.97, about the shoulder's edge
    /// at the default sigma_s (logit(0.05) = -2.94), so the share is comparable with the occupancy.</summary>
    public const double NearZeroWeight = 0.05;

    /// <summary>Below this effective sample size an importance-sampled log Z is flagged.</summary>
    public const double MinimumEffectiveSamples = 100;

    /// <summary>Trains a model as <paramref name="config"/> says on <paramref name="data"/>, keeping the best-validation checkpoint, and evaluates it
    /// on the test split (and against <paramref name="target"/>'s true density where known); <paramref name="onStep"/> hears every step.</summary>
    public static TrainedModel Train(TrainConfig config, Dataset data, Target? target = null, Action<TrainingProgress>? onStep = null)
    {
        config.Validated(data.Dimension);
        if (target is not null && target.Dimension != data.Dimension)
            throw new ArgumentException($"target '{target.Name}' is {target.Dimension}-D but the data are {data.Dimension}-D");
        var clock = Stopwatch.StartNew();
        using var outer = NewDisposeScope();
        var run = Setup.Of(config, data);
        var (train, model, density) = (run.Train, run.Model, run.Density);
        using var crossCovariance = config.CrossCovarianceWindow > 0 && model.Strategy is SoftplusReadout readout
            ? new SlackCrossCovariance(readout, train.narrow(0, 0, Math.Min(train.shape[0], CrossCovarianceReferenceRows)), config.CrossCovarianceWindow,
                config.ShoulderSigma)
            : null;
        var readings = new List<double>();
        var log = new Checkpoints(run, config.Steps, NoiseProbe(config, run));
        var order = new BatchOrder(data.Train.Length, run.BatchSize, config.Seed);
        double occupancy = double.NaN;
        int stepsRun = 0;
        string? stopped = null;

        var schedule = config.Schedule.Create(run.Optimizer, config.Steps);
        log.Evaluate(0, double.NaN, occupancy);
        onStep?.Invoke(new TrainingProgress(0, model, density, train, run.Reference));
        for (int step = 1; step <= config.Steps; step++)
        {
            using var scope = NewDisposeScope();
            var (nll, stepOccupancy) = Step(model, run.Optimizer, train.index_select(0, order.Next()), density.TrainingLoss, config.ShoulderSigma,
                crossCovariance);
            if (!double.IsFinite(nll))
            {
                stopped = $"training loss became {nll} at step {step}; stopped and kept the checkpoint of step {log.BestStep}";
                break;
            }
            schedule?.step();
            occupancy = stepOccupancy;
            stepsRun = step;
            double? reading = crossCovariance is { Full: true } && step % config.CrossCovarianceEvery == 0 ? crossCovariance.Frobenius() : null;
            if (reading is double r) readings.Add(r);
            if (step % config.EvalEvery == 0 || step == config.Steps) log.Evaluate(step, nll, occupancy);
            else log.Metrics.Add(new MetricsRow(step, nll, null, occupancy, AdmmOf(model)));
            if (reading is not null) log.Metrics[^1] = log.Metrics[^1] with { CrossCovariance = reading };
            onStep?.Invoke(new TrainingProgress(step, model, density, train, run.Reference));
        }

        log.RestoreBest();
        var result = Result(config, data, target, run, log, new Course(stepsRun, occupancy, readings.Count > 0 ? readings.Average() : null, stopped), clock);
        // The network outlives this method; everything else made here is freed with the scope.
        foreach (var t in density.Module.state_dict().Values) t.MoveToOuterDisposeScope();
        return new TrainedModel(density, result, log.Metrics, new DataSplits(data.Train.Length, data.Validation.Length, data.Test.Length));
    }

    /// <summary>What a run trains with: the splits as tensors, the density model and its wrapped network, the optimiser,
    /// and the rows the lift's evaluation weights are collapsed on. Everything random comes from the seed, in this order.</summary>
    private sealed record Setup(Tensor Train, Tensor Validation, Tensor Test, Tensor Reference, IDensityModel Density, PositiveNetwork Model,
        optim.Optimizer Optimizer, int BatchSize)
    {
        public static Setup Of(TrainConfig config, Dataset data)
        {
            var dtype = config.DType;
            var train = Rows.ToTensor(data.Train, dtype);
            int batchSize = Math.Min(config.BatchSize, data.Train.Length);
            var generator = TorchRuntime.NewGenerator((ulong)config.Seed);
            var density = DensityModels.Create(config, data.Dimension, generator, train);
            // lift-fixed conditions on the run's first batch for good (a second copy of the order, so the run's own is untouched).
            var fixedBatch = PositivityMethods.NeedsFixedBatch(config.Method)
                ? train.index_select(0, new BatchOrder(data.Train.Length, batchSize, config.Seed).Next())
                : null;
            var model = PositiveNetwork.Wrap(density.Module, config.Method, data.Dimension, config.Lift, generator, fixedBatch);
            // The lift's evaluation weights come from the training set, or a fixed large part of it.
            var reference = train.shape[0] > ReferenceRows ? train.narrow(0, 0, ReferenceRows) : train;
            var (validation, test) = (Rows.ToTensor(data.Validation, dtype), Rows.ToTensor(data.Test, dtype));
            return new Setup(train, validation, test, reference, density, model, CreateOptimizer(model, config), batchSize);
        }
    }

    /// <summary>The per-step log and the best-validation checkpoint: evaluation collapses the weights on the reference
    /// rows, logs the validation NLL and keeps a snapshot of the network when it is the lowest so far.</summary>
    private sealed class Checkpoints(Setup run, int steps, Func<BatchNoiseReading?> batchNoise)
    {
        private Dictionary<string, Tensor>? _snapshot;

        public List<MetricsRow> Metrics { get; } = new(steps + 1);

        public double Best { get; private set; } = double.PositiveInfinity;

        public int BestStep { get; private set; }

        public void Evaluate(int step, double trainNll, double occupancy)
        {
            using var scope = NewDisposeScope();
            run.Model.Collapse(run.Reference);
            run.Density.Refit();
            double validationNll = run.Density.NllValue(run.Validation);
            Metrics.Add(new MetricsRow(step, trainNll, validationNll, occupancy, AdmmOf(run.Model)) { BatchNoise = batchNoise() });
            if (_snapshot is null || validationNll < Best)
            {
                Best = validationNll;
                BestStep = step;
                _snapshot = Snapshot(run.Density.Module, _snapshot);
            }
        }

        /// <summary>Puts the best checkpoint's weights back into the network (and re-fits what depends on them).</summary>
        public void RestoreBest()
        {
            Restore(run.Density.Module, _snapshot!);
            run.Density.Refit();
        }
    }

    /// <summary>The batch noise of the lift family's body at the training iterate, over fresh batches of the training rows
    /// drawn from an order of their own (the run's batches are untouched); null where it is off or there is no body.</summary>
    private static Func<BatchNoiseReading?> NoiseProbe(TrainConfig config, Setup run)
    {
        if (config.NoiseBatches == 0 || run.Model.Strategy is not SoftplusReadout readout) return () => null;
        var order = new BatchOrder((int)run.Train.shape[0], run.BatchSize, unchecked(config.Seed * 7919 + 1));
        return () =>
        {
            using var scope = NewDisposeScope();
            var batches = Enumerable.Range(0, config.NoiseBatches).Select(_ => run.Train.index_select(0, order.Next())).ToList();
            return BatchNoise.Measure(readout, batches, config.ShoulderSigma);
        };
    }

    /// <summary>How the steps went: the last step run, the shoulder occupancy then, the mean cross-covariance reading,
    /// and why training stopped early, if it did.</summary>
    private sealed record Course(int StepsRun, double FinalOccupancy, double? MeanCrossCovariance, string? Stopped);

    /// <summary>The run's result: the test figures at the restored checkpoint (test NLL, log Z and its sampling error, and,
    /// against a known density in d &lt;= 2, total variation and cross-entropy by quadrature) beside how the steps went.</summary>
    private static RunResult Result(TrainConfig config, Dataset data, Target? target, Setup run, Checkpoints log, Course course, Stopwatch clock)
    {
        var density = run.Density;
        var normalization = density.Normalization();
        double testNll = density.NllValue(run.Test);
        var comparison = target?.HasDensity == true && data.Dimension <= 2
            // An energy model's own quadrature grid is the one to compare on; a flow has none, so one is built.
            ? density.CompareWith(density.QuadratureGrid ?? QuadratureNormalizer.Covering(run.Train, config.GridMargin, config.GridPoints), target.LogDensity,
                config.DType, target.Modes)
            : null;
        return new RunResult
        {
            Target = data.Name,
            Method = Choice.Name(config.Method),
            Seed = config.Seed,
            BestStep = log.BestStep,
            BestValidationNll = log.Best,
            TestNll = testNll,
            TotalVariation = comparison?.TotalVariation,
            CrossEntropy = comparison?.CrossEntropy,
            ExcessCrossEntropy = comparison?.ExcessCrossEntropy,
            ModeCoverage = comparison?.ModeCoverage,
            LogZ = normalization?.LogZ,
            LogZStandardError = normalization?.StandardError,
            EffectiveSampleSize = normalization?.EffectiveSampleSize,
            Warning = normalization?.EffectiveSampleSize is double ess && ess < MinimumEffectiveSamples
                ? $"importance sampling kept {ess:F0} effective samples of {config.ImportanceSamples}: log Z and the NLL are unreliable"
                : null,
            StepsRun = course.StepsRun,
            FinalShoulderOccupancy = course.FinalOccupancy,
            NearZeroWeightShare = NearZeroShare(density.Module),
            MeanCrossCovariance = course.MeanCrossCovariance,
            Stopped = course.Stopped,
            Seconds = clock.Elapsed.TotalSeconds,
        };
    }

    private static double NearZeroShare(nn.Module network)
    {
        using var scope = NewDisposeScope();
        var weights = cat(PositiveNetwork.FindConstrainedWeights(network).Select(w => w.Stored.flatten()).ToArray());
        return weights.lt(NearZeroWeight).to_type(ScalarType.Float64).mean().ToDouble();
    }

    /// <summary>
    /// One optimiser step: the constrained weights made from <paramref name="batch"/>, the objective on the
    /// batch (it reads the wrapped module, whose weights are now those), backward, the optimiser, the strategy's after-step. A non-finite
    /// loss is returned without stepping. Also returns the shoulder occupancy of the pre-readout iterate
    /// (NaN for methods without one, or with <paramref name="shoulderSigma"/> null), and records the step in
    /// <paramref name="crossCovariance"/> when given.
    /// </summary>
    public static (double Loss, double Occupancy) Step(PositiveNetwork model, optim.Optimizer optimizer, Tensor batch,
        Func<Tensor, Tensor> objective, double? shoulderSigma = Shoulder.DefaultSigma, SlackCrossCovariance? crossCovariance = null)
    {
        Tensor loss;
        Tensor? preReadout;
        using (var conditioning = model.Conditioned(batch))
        {
            loss = objective(batch);
            if (model.Strategy.Penalty() is { } penalty) loss = loss + penalty;
            preReadout = conditioning.PreReadout;
        }
        double occupancy = preReadout is null || shoulderSigma is not double sigma ? double.NaN : Shoulder.Occupancy(preReadout, sigma);
        double value = loss.ToDouble();
        if (!double.IsFinite(value)) return (value, occupancy);
        optimizer.zero_grad();
        loss.backward();
        if (preReadout is not null) crossCovariance?.Record(batch, preReadout);
        optimizer.step();
        model.AfterStep();
        return (value, occupancy);
    }

    private static AdmmState? AdmmOf(PositiveNetwork model) =>
        model.Strategy is Admm admm ? new AdmmState(admm.Rho, admm.PrimalResidual, admm.DualResidual) : null;

    /// <summary>Adam (or SGD with momentum 0.9) over the network's free parameters and the strategy's, the lift's
    /// hypernetwork at its own rate.</summary>
    public static optim.Optimizer CreateOptimizer(PositiveNetwork model, TrainConfig config)
    {
        var hyper = model.Strategy.HypernetworkParameters.ToHashSet(ReferenceEqualityComparer.Instance);
        var baseParameters = model.NetworkParameters.Concat(model.Strategy.parameters().Where(p => !hyper.Contains(p))).ToList();
        double hyperRate = config.HypernetworkLearningRate ?? config.LearningRate;
        if (config.Optimizer == OptimizerKind.Sgd)
        {
            var sgd = new List<SGD.ParamGroup> { new(baseParameters, new SGD.Options { LearningRate = config.LearningRate,
                momentum = TrainConfig.SgdMomentum }) };
            if (hyper.Count > 0) sgd.Add(new(hyper.Cast<Parameter>(), new SGD.Options { LearningRate = hyperRate, momentum = TrainConfig.SgdMomentum }));
            return optim.SGD(sgd, config.LearningRate, TrainConfig.SgdMomentum);
        }
        var groups = new List<Adam.ParamGroup> { new(baseParameters, new Adam.Options { LearningRate = config.LearningRate }) };
        if (hyper.Count > 0)
            groups.Add(new(hyper.Cast<Parameter>(), new Adam.Options { LearningRate = hyperRate }));
        return optim.Adam(groups, config.LearningRate);
    }

    private static Dictionary<string, Tensor> Snapshot(nn.Module module, Dictionary<string, Tensor>? previous)
    {
        if (previous is not null) foreach (var t in previous.Values) t.Dispose();
        using (no_grad())
            return module.state_dict().ToDictionary(kv => kv.Key, kv => kv.Value.detach().clone().DetachFromDisposeScope());
    }

    private static void Restore(nn.Module module, Dictionary<string, Tensor> checkpoint)
    {
        using (no_grad())
            foreach (var (name, value) in module.state_dict())
                value.copy_(checkpoint[name]);
        foreach (var t in checkpoint.Values) t.Dispose();
    }
}

/// <summary>Epoch-wise shuffled mini-batches from a seeded stream, independent of the method.</summary>
internal sealed class BatchOrder(int count, int batchSize, int seed)
{
    private readonly Random _rng = new(seed);
    private readonly int[] _permutation = Enumerable.Range(0, count).ToArray();
    private int _position = int.MaxValue / 2;

    public Tensor Next()
    {
        if (_position + batchSize > _permutation.Length)
        {
            _rng.Shuffle(_permutation);
            _position = 0;
        }
        var indices = _permutation.AsSpan(_position, batchSize).ToArray();
        _position += batchSize;
        return tensor(indices.Select(i => (long)i).ToArray());
    }
}
