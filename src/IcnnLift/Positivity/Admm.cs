using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace IcnnLift.Positivity;

/// <summary>How ADMM's penalty rho evolves.</summary>
public enum AdmmSchedule
{
    /// <summary>rho = 10 throughout.</summary>
    Fixed,
    /// <summary>Residual balancing (Wohlberg 2017): rho x2 when the primal residual exceeds 10x the dual, /2 in the opposite case.</summary>
    ResidualBalancing,
    /// <summary>rho doubles every <see cref="Admm.DoublingPeriod"/> steps, towards the stiff limit (projection).</summary>
    Doubling,
}

/// <summary>
/// ADMM with positivity (scaled form) over the split t = z, z &gt;= 0: the network trains on the raw t with the
/// augmented-Lagrangian penalty (rho/2)|t - z + u|^2 added to the loss (one optimiser step per ADMM
/// iteration), then z = max(t + u, 0) and u = u + t - z in closed form. The weights are t during training,
/// max(t, 0) at evaluation. Fair start: t = z = the initial weights, u = 0.
/// </summary>
public sealed class Admm : PositivityStrategy
{
    /// <summary>Steps between doublings of rho (rho doubling).</summary>
    public const int DoublingPeriod = 200;
    private const double InitialRho = 10, BalanceRatio = 10, BalanceFactor = 2, MaxRho = 1e6;

    private readonly Parameter _t;
    private readonly Tensor _z;
    private readonly Tensor _u;
    private int _iteration;

    /// <summary>ADMM over weights of <paramref name="shapes"/>, starting at <paramref name="initialWeights"/>, rho as <paramref name="schedule"/>
    /// says.</summary>
    public Admm(IReadOnlyList<long[]> shapes, Tensor initialWeights, AdmmSchedule schedule)
        : base(schedule switch { AdmmSchedule.Fixed => "admm", AdmmSchedule.ResidualBalancing => "admm-balance", _ => "admm-double" }, shapes)
    {
        Schedule = schedule;
        _t = new Parameter(initialWeights.detach().clone());
        _z = initialWeights.detach().clone();
        _u = zeros_like(_z);
        register_parameter("t", _t);
        register_buffer("z", _z);
        register_buffer("u", _u);
    }

    /// <summary>How rho changes.</summary>
    public AdmmSchedule Schedule { get; }

    /// <summary>The penalty weight now.</summary>
    public double Rho { get; private set; } = InitialRho;

    /// <summary>|t - z| after the last iteration.</summary>
    public double PrimalResidual { get; private set; }

    /// <summary>rho |z - z_previous| after the last iteration.</summary>
    public double DualResidual { get; private set; }

    /// <inheritdoc/>
    public override (Tensor Weights, Tensor? PreReadout) Make(Tensor batch) => (_t, null);

    /// <inheritdoc/>
    public override Tensor? Penalty() => (_t - _z + _u).square().sum().mul(Rho / 2);

    /// <inheritdoc/>
    public override Tensor EvaluationWeights(Tensor reference) => _t.clamp_min(0);

    /// <inheritdoc/>
    public override void AfterStep()
    {
        using var scope = NewDisposeScope();
        using (no_grad())
        {
            var previous = _z.clone();
            _z.copy_((_t + _u).clamp_min(0));
            _u.add_(_t - _z);
            PrimalResidual = (_t - _z).norm().ToDouble();
            DualResidual = Rho * (_z - previous).norm().ToDouble();
            _iteration++;
            double next = Schedule switch
            {
                AdmmSchedule.ResidualBalancing when PrimalResidual > BalanceRatio * DualResidual => Rho * BalanceFactor,
                AdmmSchedule.ResidualBalancing when DualResidual > BalanceRatio * PrimalResidual => Rho / BalanceFactor,
                AdmmSchedule.Doubling when _iteration % DoublingPeriod == 0 => Rho * 2,
                _ => Rho,
            };
            next = Math.Clamp(next, 1e-3, MaxRho);
            if (next != Rho)
            {
                _u.mul_(Rho / next); // the scaled dual u = y / rho follows rho
                Rho = next;
            }
        }
    }
}
