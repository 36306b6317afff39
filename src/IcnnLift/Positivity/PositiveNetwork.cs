using IcnnLift.Convex;
using IcnnLift.Runtime;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace IcnnLift.Positivity;

/// <summary>
/// Wraps any convex module whose non-negative weights are declared as <see cref="ConstrainedWeight"/>s
/// and makes them with a positivity strategy. The wrapper finds the marked weights itself:
/// <code>
/// var net = new MyConvexNet();                                   // declares ConstrainedWeight members
/// var model = PositiveNetwork.Wrap(net, PositivityMethod.Lift, inputDimension: 2);
/// </code>
/// Training code then calls <see cref="forward"/> (weights conditioned on the input batch) or, to share one
/// set of weights between several evaluations, <see cref="Conditioned"/>. No clamping or softplus in the
/// user's loop: <see cref="AfterStep"/> is all the strategy asks for. <see cref="Collapse"/> writes the
/// final weights into the module, which is then a plain convex network.
/// </summary>
public sealed class PositiveNetwork : nn.Module<Tensor, Tensor>
{
    private readonly ConstrainedWeight[] _slots;
    private bool _conditioned;

    private PositiveNetwork(nn.Module<Tensor, Tensor> network, ConstrainedWeight[] slots, PositivityStrategy strategy) : base("positive")
    {
        Network = network;
        Strategy = strategy;
        _slots = slots;
        register_module("network", network);
        register_module("strategy", strategy);
    }

    /// <summary>The wrapped convex module; after <see cref="Collapse"/> a plain convex network.</summary>
    public nn.Module<Tensor, Tensor> Network { get; }

    /// <summary>How the constrained weights are made.</summary>
    public PositivityStrategy Strategy { get; }

    /// <summary>The network's constrained weights, in the order the strategy makes them.</summary>
    public IReadOnlyList<ConstrainedWeight> ConstrainedWeights => _slots;

    /// <summary>Wraps <paramref name="network"/>: finds its <see cref="ConstrainedWeight"/>s and lets <paramref name="method"/> make them.</summary>
    /// <param name="network">A module convex in its input while its constrained weights are non-negative.</param>
    /// <param name="method">The positivity method.</param>
    /// <param name="inputDimension">Input dimension (the lift's hypernetwork reads batches of it).</param>
    /// <param name="lift">The lift's hypernetwork options (the lift family only).</param>
    /// <param name="generator">Draws the strategy's own initial weights.</param>
    /// <param name="fixedBatch">The batch lift-fixed conditions on for the whole run (other methods ignore it).</param>
    public static PositiveNetwork Wrap(nn.Module<Tensor, Tensor> network, PositivityMethod method, int inputDimension,
        LiftOptions? lift = null, Generator? generator = null, Tensor? fixedBatch = null)
    {
        var slots = FindConstrainedWeights(network);
        if (slots.Length == 0)
            throw new ArgumentException($"module '{network.GetName()}' declares no ConstrainedWeight: nothing for a positivity strategy to make");
        Tensor initial;
        using (no_grad()) initial = cat(slots.Select(s => s.Stored.flatten()).ToArray());
        var strategy = PositivityMethods.Create(method, slots.Select(s => s.Shape).ToList(), initial, inputDimension, lift,
            generator ?? TorchRuntime.NewGenerator(0), fixedBatch);
        return new PositiveNetwork(network, slots, strategy);
    }

    /// <summary>Every ConstrainedWeight below <paramref name="module"/>, in registration order.</summary>
    public static ConstrainedWeight[] FindConstrainedWeights(nn.Module module) =>
        module.modules().OfType<ConstrainedWeight>().ToArray();

    /// <summary>The free parameters of the wrapped module (the strategy's own come from <see cref="Strategy"/>).</summary>
    public IEnumerable<Parameter> NetworkParameters => Network.parameters();

    /// <summary>
    /// Makes the constrained weights from <paramref name="batch"/> once and uses them for every forward
    /// pass until the returned scope is disposed (the energy-based model evaluates its normaliser's grid
    /// with the weights of the data batch, say). The module reads them through its <see cref="ConstrainedWeight"/>s,
    /// as a PyTorch parametrisation does, so that a user's own module needs no other forward signature.
    /// </summary>
    public Conditioning Conditioned(Tensor batch)
    {
        if (_conditioned) throw new InvalidOperationException("the network is already conditioned on a batch; dispose that scope first");
        var (weights, preReadout) = Strategy.Make(batch);
        var parts = Strategy.Split(weights);
        for (int i = 0; i < _slots.Length; i++) _slots[i].Supply(parts[i]);
        _conditioned = true;
        return new Conditioning(this, preReadout);
    }

    /// <summary>E(x) with weights conditioned on x itself, or on the batch of an enclosing <see cref="Conditioned"/> scope.</summary>
    public override Tensor forward(Tensor x)
    {
        if (_conditioned) return Network.forward(x);
        using (Conditioned(x)) return Network.forward(x);
    }

    /// <summary>Called after each optimiser step.</summary>
    public void AfterStep() => Strategy.AfterStep();

    /// <summary>The weights the strategy makes for <paramref name="reference"/>, without gradient: for a
    /// batch-independent method its weights, for the lift the collapsed weights.</summary>
    public Tensor CollapsedWeights(Tensor reference)
    {
        using (no_grad()) return Strategy.EvaluationWeights(reference).detach().clone();
    }

    /// <summary>Stores <paramref name="flatWeights"/> in the module's constrained weights: the module alone
    /// is then a plain convex network with these weights.</summary>
    public void Store(Tensor flatWeights)
    {
        var parts = Strategy.Split(flatWeights);
        for (int i = 0; i < _slots.Length; i++) _slots[i].Store(parts[i]);
    }

    /// <summary>Evaluation weights: for the lift psi(h_phi(X_ref) + b), computed once.</summary>
    public void Collapse(Tensor reference) => Store(CollapsedWeights(reference));

    /// <summary>A conditioning scope: while it lasts, the module computes with the weights made from its batch.</summary>
    public sealed class Conditioning : IDisposable
    {
        private readonly PositiveNetwork _owner;
        private bool _done;

        internal Conditioning(PositiveNetwork owner, Tensor? preReadout) => (_owner, PreReadout) = (owner, preReadout);

        /// <summary>The pre-readout iterate the weights were made from (for the shoulder diagnostics); null for PGD and ADMM.</summary>
        public Tensor? PreReadout { get; }

        /// <summary>Ends the conditioning.</summary>
        public void Dispose()
        {
            if (_done) return;
            _done = true;
            _owner._conditioned = false;
            foreach (var slot in _owner._slots) slot.Supply(null);
        }
    }
}
