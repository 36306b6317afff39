using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace IcnnLift.Convex;

/// <summary>Shape and options of an <see cref="InputConvexNetwork"/>; saved with every run.</summary>
public sealed record IcnnSpec(
    int Dimension,
    int Width = 64,
    int Depth = 3,
    string Activation = "softplus",
    double Alpha = 0.01,
    string Initialization = "default")
{
    public void Validate()
    {
        if (Dimension < 1) throw new ArgumentException($"dimension must be positive, got {Dimension}");
        if (Width < 1) throw new ArgumentException($"width must be positive, got {Width}");
        if (Depth < 1) throw new ArgumentException($"depth must be positive, got {Depth}");
        if (!(Alpha > 0) || double.IsInfinity(Alpha)) throw new ArgumentException($"alpha must be a positive number, got {Alpha}");
        Convex.Activation.Parse(Activation);
        Convex.Initialization.Parse(Initialization);
    }
}

/// <summary>
/// Fully input-convex network (Amos et al. 2017):
/// z1 = s(A0 x + b0); z(l+1) = s(W_l z_l + A_l x + b_l); E(x) = w_L.z_L + a_L.x + c + (alpha/2)|x|^2,
/// with s convex and non-decreasing and every W_l, w_L a <see cref="ConstrainedWeight"/>.
/// Input [n, d], output [n].
/// </summary>
public sealed class InputConvexNetwork : nn.Module<Tensor, Tensor>
{
    private readonly ModuleList<Linear> _inputMaps = new();
    private readonly ModuleList<ConstrainedWeight> _hiddenMaps = new();
    private readonly Activation _activation;
    private readonly double _alpha;

    public IcnnSpec Spec { get; }

    public InputConvexNetwork(IcnnSpec spec, Generator generator, ScalarType dtype = ScalarType.Float32) : base("icnn")
    {
        spec.Validate();
        Spec = spec;
        _activation = Activation.Parse(spec.Activation);
        _alpha = spec.Alpha;
        var init = Initialization.Parse(spec.Initialization);
        using (no_grad())
        {
            // A0 x + b0 feeds the first layer; A_l x + b_l the later ones; a_L x + c the output.
            for (int l = 0; l <= spec.Depth; l++)
            {
                long outFeatures = l == spec.Depth ? 1 : spec.Width;
                var (a, bias) = Initialization.FreeLinear(outFeatures, spec.Dimension, generator, dtype);
                if (l > 0)
                {
                    var (w, shiftedBias) = Initialization.ConstrainedLinear(init, outFeatures, spec.Width, generator, dtype);
                    _hiddenMaps.Add(new ConstrainedWeight(l == spec.Depth ? "w_out" : $"W{l}", w));
                    if (init == InitializationKind.Principled) bias = shiftedBias;
                }
                var linear = nn.Linear(spec.Dimension, outFeatures, hasBias: true, dtype: dtype);
                linear.weight!.copy_(a);
                linear.bias!.copy_(bias);
                _inputMaps.Add(linear);
            }
        }
        RegisterComponents();
    }

    /// <summary>The constrained weights W_1 .. W_{L-1}, w_L in forward order.</summary>
    public IReadOnlyList<ConstrainedWeight> ConstrainedWeights => _hiddenMaps.ToList();

    public override Tensor forward(Tensor x)
    {
        if (x.dim() != 2 || x.shape[1] != Spec.Dimension)
            throw new ArgumentException($"the network takes inputs of shape [n, {Spec.Dimension}], got [{string.Join(", ", x.shape)}]");
        var z = _activation.Apply(_inputMaps[0].forward(x));
        for (int l = 1; l < Spec.Depth; l++)
            z = _activation.Apply(nn.functional.linear(z, _hiddenMaps[l - 1].Value).add_(_inputMaps[l].forward(x)));
        var output = nn.functional.linear(z, _hiddenMaps[Spec.Depth - 1].Value).add_(_inputMaps[Spec.Depth].forward(x)).squeeze(-1);
        return output.add_(x.square().sum(-1).mul_(_alpha / 2));
    }
}
