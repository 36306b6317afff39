using System.Text.Json.Serialization;
using IcnnLift.Convex;
using IcnnLift.Density;
using IcnnLift.Runtime;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace IcnnLift.Flows;

/// <summary>How a flow computes its log-determinants.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<LogDetMethod>))]
public enum LogDetMethod
{
    /// <summary>Closed-form Hessian and Cholesky.</summary>
    [JsonStringEnumMemberName("exact")] Exact,
    /// <summary>Hessian-vector products: Hutchinson and conjugate gradients for training, stochastic Lanczos quadrature for evaluation.</summary>
    [JsonStringEnumMemberName("stochastic")] Stochastic,
}

/// <param name="LogDet">Exact (closed-form Hessian and Cholesky) or stochastic (Hessian-vector products:
/// a Hutchinson/conjugate-gradient surrogate for training, stochastic Lanczos quadrature for evaluation).</param>
/// <param name="Probes">Probe vectors per sample for the training surrogate.</param>
/// <param name="EvaluationProbes">Probe vectors per sample for the Lanczos estimate.</param>
/// <param name="LanczosSteps">Lanczos steps (capped at d).</param>
/// <param name="CgIterations">Conjugate-gradient iterations at most for H^-1 v.</param>
/// <param name="BaseScale">Standard deviation of the Gaussian base N(0, s^2 I). A wider base lets one gradient map spread
/// the base's mass over separated modes with a milder potential (CP-Flow's toy flows use one).</param>
public sealed record FlowOptions(LogDetMethod LogDet = LogDetMethod.Exact, int Probes = 1, int EvaluationProbes = 4, int LanczosSteps = 20,
    int CgIterations = 50, double BaseScale = 1.0)
{
    /// <summary>Checks the options; the message names what is wrong.</summary>
    public void Validate()
    {
        if (Probes < 1 || EvaluationProbes < 1 || LanczosSteps < 1 || CgIterations < 1)
            throw new ArgumentException("probes, Lanczos steps and CG iterations must be positive");
        if (!(BaseScale > 0) || double.IsInfinity(BaseScale)) throw new ArgumentException($"--base-scale must be a positive number, got {BaseScale}");
    }
}

/// <summary>
/// Convex-potential flow (CP-Flow, Huang et al. 2021). Each block is an activation normalisation followed by
/// the gradient map y = grad F(x) of a strongly convex potential F (an input-convex network with its
/// (alpha/2)|x|^2 term), a bijection whose Jacobian is the Hessian of F, symmetric positive definite. With
/// z the output of the last block, log p(x) = log N(z; 0, s^2 I) + sum over blocks of log det.
/// </summary>
public sealed class ConvexPotentialFlow : nn.Module<Tensor, Tensor>, IDensityModel
{
    private readonly ModuleList<ActNorm> _norms = new();
    private readonly ModuleList<InputConvexNetwork> _potentials = new();
    private readonly Generator _probes;

    /// <summary>A flow of <paramref name="blocks"/> blocks, each an activation normalisation and the gradient map of a
    /// network of <paramref name="potential"/>'s shape.</summary>
    /// <param name="potential">Shape of each block's convex potential.</param>
    /// <param name="blocks">Number of blocks.</param>
    /// <param name="generator">Draws the potentials' initial weights.</param>
    /// <param name="dtype">Floating-point type of the parameters.</param>
    /// <param name="options">How log-determinants are computed, and the base's scale.</param>
    /// <param name="probeSeed">Seed of the stochastic log-determinant's probe vectors.</param>
    public ConvexPotentialFlow(IcnnSpec potential, int blocks, Generator generator, ScalarType dtype = ScalarType.Float32,
        FlowOptions? options = null, ulong probeSeed = 0) : base("cpflow")
    {
        if (blocks < 1) throw new ArgumentException($"a flow needs at least one block, got {blocks}");
        Options = options ?? new FlowOptions();
        Options.Validate();
        _probes = TorchRuntime.NewGenerator(probeSeed);
        for (int k = 0; k < blocks; k++)
        {
            _norms.Add(new ActNorm(potential.Dimension, dtype));
            _potentials.Add(new InputConvexNetwork(potential, generator, dtype));
        }
        RegisterComponents();
    }

    /// <summary>How log-determinants are computed, and the base's scale.</summary>
    public FlowOptions Options { get; }

    /// <inheritdoc/>
    public int Dimension => _potentials[0].Spec.Dimension;

    /// <summary>Number of blocks.</summary>
    public int Blocks => _potentials.Count;

    /// <summary>The blocks' activation normalisations, in order.</summary>
    public IReadOnlyList<ActNorm> Norms => [.. _norms];

    /// <summary>The blocks' convex potentials, in order.</summary>
    public IReadOnlyList<InputConvexNetwork> Potentials => [.. _potentials];

    /// <inheritdoc/>
    public nn.Module<Tensor, Tensor> Module => this;

    /// <summary>Data-dependent initialisation: each normalisation whitens what reaches it when <paramref name="data"/> flows in.</summary>
    public void InitializeFrom(Tensor data)
    {
        using var scope = NewDisposeScope();
        using (no_grad())
        {
            var x = data;
            for (int k = 0; k < Blocks; k++)
            {
                _norms[k].InitializeFrom(x);
                var normalised = _norms[k].forward(x);
                _potentials[k].InitializeFrom(normalised);
                x = _potentials[k].Derivatives(normalised).Gradient;
            }
        }
    }

    /// <summary>z = flow(x) [n, d] and log|det dz/dx| [n].</summary>
    public (Tensor Output, Tensor LogDet) Transform(Tensor x)
    {
        var logDet = zeros(x.shape[0], dtype: x.dtype);
        for (int k = 0; k < Blocks; k++)
        {
            x = _norms[k].forward(x);
            logDet = logDet.add(_norms[k].LogDet);
            var (_, gradient, hessian) = _potentials[k].Derivatives(x);
            logDet = logDet.add(LogDetSpd(hessian));
            x = gradient;
        }
        return (x, logDet);
    }

    /// <summary>
    /// z and the stochastic log-determinant term: in <paramref name="training"/> the surrogate whose gradient
    /// estimates that of log det (its value is not log det), otherwise the Lanczos estimate of log det.
    /// </summary>
    public (Tensor Output, Tensor LogDet) TransformStochastic(Tensor x, bool training)
    {
        var logDet = zeros(x.shape[0], dtype: x.dtype);
        for (int k = 0; k < Blocks; k++)
        {
            x = _norms[k].forward(x);
            logDet = logDet.add(_norms[k].LogDet);
            var (_, gradient, hessianTimes) = _potentials[k].HessianOperator(x);
            int probes = training ? Options.Probes : Options.EvaluationProbes;
            for (int p = 0; p < probes; p++)
            {
                var v = StochasticLogDet.Probes(x.shape[0], Dimension, x.dtype, _probes);
                var term = training
                    ? StochasticLogDet.Surrogate(hessianTimes, v, Options.CgIterations, x.dtype == ScalarType.Float64 ? 1e-8 : 1e-4)
                    : StochasticLogDet.Lanczos(hessianTimes, v, Options.LanczosSteps);
                logDet = logDet.add(term.div(probes));
            }
            x = gradient;
        }
        return (x, logDet);
    }

    /// <summary>z = flow(x).</summary>
    public override Tensor forward(Tensor x) => Transform(x).Output;

    private bool IsStochastic => Options.LogDet == LogDetMethod.Stochastic;

    private Tensor BaseLogDensity(Tensor z)
    {
        double s = Options.BaseScale;
        return z.square().sum(-1).mul(-0.5 / (s * s)).sub(Dimension * (0.5 * Math.Log(2 * Math.PI) + Math.Log(s)));
    }

    /// <summary>log p(x); with the stochastic log-determinant, its Lanczos estimate.</summary>
    public Tensor LogDensity(Tensor x)
    {
        var (z, logDet) = IsStochastic ? TransformStochastic(x, training: false) : Transform(x);
        return BaseLogDensity(z).add(logDet);
    }

    /// <inheritdoc/>
    public Tensor Nll(Tensor x) => LogDensity(x).mean().neg();

    /// <summary>The NLL, or with the stochastic log-determinant a loss with the NLL's expected gradient.</summary>
    public Tensor TrainingLoss(Tensor x)
    {
        if (!IsStochastic) return Nll(x);
        var (z, surrogate) = TransformStochastic(x, training: true);
        return BaseLogDensity(z).add(surrogate).mean().neg();
    }

    /// <summary>log det of symmetric positive-definite matrices [n, d, d] by Cholesky; NaN where one is not
    /// positive definite (the loss then stops being finite and training stops with its best checkpoint).</summary>
    public static Tensor LogDetSpd(Tensor matrices)
    {
        var (factor, info) = linalg.cholesky_ex(matrices);
        var logDet = factor.diagonal(0, -2, -1).log().sum(-1).mul(2);
        return where(info.eq(0), logDet, full_like(logDet, double.NaN));
    }

    /// <summary>
    /// x with flow(x) = z, block by block backwards: each gradient map is inverted by solving grad F(x) = y,
    /// the optimality condition of the strongly convex problem min_x F(x) - y.x, with damped Newton steps
    /// (exact Hessian, backtracking on the residual). Returns the largest residual |grad F(x) - y| over samples
    /// and blocks, so a failed solve is reported.
    /// </summary>
    public (Tensor X, double Residual) Inverse(Tensor z, int maxIterations = 50, double? tolerance = null)
    {
        double worst = 0;
        using (no_grad())
        {
            var y = z;
            for (int k = Blocks - 1; k >= 0; k--)
            {
                var (x, residual) = ConvexSolver.SolveGradient(_potentials[k], y, maxIterations, tolerance);
                worst = Math.Max(worst, residual);
                y = _norms[k].Inverse(x);
            }
            return (y, worst);
        }
    }

    /// <summary>Draws by inverting the blocks (<paramref name="chainSteps"/> is for chain samplers; a flow has none).</summary>
    public DrawnSamples Sample(int n, int chainSteps, Generator generator)
    {
        var (samples, residual) = Sample(n, generator, _potentials[0].parameters().First().dtype);
        return new DrawnSamples(samples, $"largest inverse residual |grad F(x) - y| = {residual:E2}", residual < 1e-3);
    }

    /// <summary><paramref name="n"/> samples: base draws pushed through the inverse flow.</summary>
    public (Tensor Samples, double Residual) Sample(int n, Generator generator, ScalarType dtype)
    {
        using (no_grad()) return Inverse(randn([n, Dimension], dtype, generator: generator).mul_(Options.BaseScale));
    }
}
