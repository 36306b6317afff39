using IcnnLift.Convex;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace IcnnLift.Positivity;

/// <summary>
/// The one seam between the methods: given the current batch, what are the constrained weights for this
/// forward pass? Every strategy keeps its trainable state as one flat vector over all constrained
/// coordinates (in the order of the wrapped network's <see cref="ConstrainedWeight"/>s) and cuts it into
/// the slots' shapes, so everything outside this seam is shared by all methods.
/// </summary>
public abstract class PositivityStrategy : nn.Module
{
    private readonly long[][] _shapes;

    /// <summary>A strategy named <paramref name="name"/> making weights of <paramref name="shapes"/>.</summary>
    protected PositivityStrategy(string name, IReadOnlyList<long[]> shapes) : base(name)
    {
        _shapes = shapes.Select(s => s.ToArray()).ToArray();
        Count = _shapes.Sum(s => s.Aggregate(1L, (a, b) => a * b));
    }

    /// <summary>Total number of constrained coordinates.</summary>
    public long Count { get; }

    /// <summary>Flat non-negative weights [Count] for a forward pass conditioned on <paramref name="batch"/> [n, d],
    /// with the pre-readout iterate they came from (the argument of softplus; null where the method has no readout).</summary>
    public abstract (Tensor Weights, Tensor? PreReadout) Make(Tensor batch);

    /// <summary>Every weight <see cref="Make"/> makes for <paramref name="batch"/>, flattened into one vector.</summary>
    public Tensor FlatWeights(Tensor batch) => Make(batch).Weights;

    /// <summary>A term the strategy adds to the loss (ADMM's augmented Lagrangian), or null.</summary>
    public virtual Tensor? Penalty() => null;

    /// <summary>The weights evaluation uses (after training, for validation and the saved model): by default the
    /// training weights for <paramref name="reference"/>; ADMM projects them.</summary>
    public virtual Tensor EvaluationWeights(Tensor reference) => FlatWeights(reference);

    /// <summary>Parameters that train at the hypernetwork's learning rate rather than the base one.</summary>
    public virtual IEnumerable<Parameter> HypernetworkParameters => [];

    /// <summary>Called after every optimiser step (projection, say).</summary>
    public virtual void AfterStep() { }

    /// <summary>Views of <paramref name="flat"/> in the slots' shapes.</summary>
    public Tensor[] Split(Tensor flat)
    {
        var parts = new Tensor[_shapes.Length];
        long offset = 0;
        for (int i = 0; i < _shapes.Length; i++)
        {
            long size = _shapes[i].Aggregate(1L, (a, b) => a * b);
            parts[i] = flat.narrow(0, offset, size).view(_shapes[i]);
            offset += size;
        }
        return parts;
    }

    /// <summary>softplus^-1(w) = log(expm1(w)), computed stably for large w.</summary>
    public static Tensor InverseSoftplus(Tensor w) => w.add(w.neg().expm1().neg().log());
}

/// <summary>The softplus family: weights = softplus(pre-readout iterate).</summary>
public abstract class SoftplusReadout(string name, IReadOnlyList<long[]> shapes) : PositivityStrategy(name, shapes)
{
    /// <summary>The pre-readout iterate [Count] for <paramref name="batch"/>.</summary>
    public abstract Tensor PreReadout(Tensor batch);

    /// <summary>The body of pre-readout = body + slack, the part that may depend on the batch; null where
    /// there is none (direct softplus). Read by the slack-channel cross-covariance.</summary>
    public virtual Tensor? Body(Tensor batch) => null;

    /// <summary>The slack channel b, a trained parameter, or null where there is none.</summary>
    public virtual Parameter? Slack => null;

    /// <inheritdoc/>
    public override (Tensor Weights, Tensor? PreReadout) Make(Tensor batch)
    {
        var pre = PreReadout(batch);
        return (nn.functional.softplus(pre), pre);
    }
}
