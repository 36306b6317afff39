using System.Text.Json.Serialization;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace IcnnLift.Convex;

/// <summary>What an energy network adds to itself: nothing, or a Gaussian energy fitted to the training data
/// (see <see cref="InputConvexNetwork.FitGaussianBase"/>).</summary>
[JsonConverter(typeof(JsonStringEnumConverter<EnergyBase>))]
public enum EnergyBase
{
    [JsonStringEnumMemberName("none")] None,
    [JsonStringEnumMemberName("gaussian")] Gaussian,
}

/// <summary>Shape and options of an <see cref="InputConvexNetwork"/>; saved with every run.</summary>
public sealed record IcnnSpec(
    int Dimension,
    int Width = 64,
    int Depth = 3,
    Activation? Activation = null,
    double Alpha = 0.01,
    InitializationKind Initialization = InitializationKind.Default,
    EnergyBase Base = EnergyBase.None)
{
    /// <summary>The activation; softplus when not given.</summary>
    public Activation Activation { get; init; } = Activation ?? Convex.Activation.Softplus;

    public void Validate()
    {
        if (Dimension < 1) throw new ArgumentException($"dimension must be positive, got {Dimension}");
        if (Width < 1) throw new ArgumentException($"width must be positive, got {Width}");
        if (Depth < 1) throw new ArgumentException($"depth must be positive, got {Depth}");
        if (!(Alpha > 0) || double.IsInfinity(Alpha)) throw new ArgumentException($"alpha must be a positive number, got {Alpha}");
    }
}

/// <summary>
/// Fully input-convex network (Amos et al. 2017):
/// z1 = s(A0 x + b0); z(l+1) = s(W_l z_l + A_l x + b_l); E(x) = w_L.z_L + a_L.x + c + (alpha/2)|x|^2,
/// with s convex and non-decreasing and every W_l, w_L a <see cref="ConstrainedWeight"/>.
/// With the Gaussian base, E also has + (1/2)(x - m)^T P (x - m), m and P = Sigma^-1 fitted to the data and
/// fixed: the network then learns a convex correction to the data's Gaussian instead of building the
/// quadratic bowl out of softplus units (still convex, and the model starts at the classical baseline).
/// Input [n, d], output [n].
/// </summary>
public sealed class InputConvexNetwork : nn.Module<Tensor, Tensor>
{
    private readonly ModuleList<Linear> _inputMaps = new();
    private readonly ModuleList<ConstrainedWeight> _hiddenMaps = new();
    private readonly Activation _activation;
    private readonly double _alpha;
    private readonly Tensor? _baseMean;
    private readonly Tensor? _basePrecision;

    public IcnnSpec Spec { get; }

    public InputConvexNetwork(IcnnSpec spec, Generator generator, ScalarType dtype = ScalarType.Float32) : base("icnn")
    {
        spec.Validate();
        Spec = spec;
        _activation = spec.Activation;
        _alpha = spec.Alpha;
        using (no_grad())
        {
            // A0 x + b0 feeds the first layer; A_l x + b_l the later ones; a_L x + c the output.
            for (int l = 0; l <= spec.Depth; l++)
            {
                long outFeatures = l == spec.Depth ? 1 : spec.Width;
                var (a, bias) = Initialization.FreeLinear(outFeatures, spec.Dimension, generator, dtype);
                if (l > 0)
                {
                    var (w, shiftedBias) = Initialization.ConstrainedLinear(spec.Initialization, outFeatures, spec.Width, generator, dtype);
                    _hiddenMaps.Add(new ConstrainedWeight(l == spec.Depth ? "w_out" : $"W{l}", w));
                    if (spec.Initialization == InitializationKind.Principled) bias = shiftedBias;
                }
                var linear = nn.Linear(spec.Dimension, outFeatures, hasBias: true, dtype: dtype);
                linear.weight!.copy_(a);
                linear.bias!.copy_(bias);
                _inputMaps.Add(linear);
            }
        }
        if (spec.Base == EnergyBase.Gaussian)
        {
            _baseMean = zeros(spec.Dimension, dtype: dtype);
            _basePrecision = zeros(spec.Dimension, spec.Dimension, dtype: dtype);
            register_buffer("base_mean", _baseMean);
            register_buffer("base_precision", _basePrecision);
        }
        RegisterComponents();
    }

    /// <summary>Fits the Gaussian base to <paramref name="data"/> [n, d]: its mean and the inverse of its covariance
    /// (with a ridge of 1e-6 of the mean variance, for a covariance that is singular or nearly).</summary>
    public void FitGaussianBase(Tensor data)
    {
        if (_baseMean is null || _basePrecision is null) throw new InvalidOperationException("the network has no Gaussian base (its spec's base is none)");
        using var scope = NewDisposeScope();
        using var _ = no_grad();
        var (mean, covariance) = Moments(data);
        _baseMean.copy_(mean);
        _basePrecision.copy_(linalg.inv(covariance));
    }

    /// <summary>The Gaussian base's mean and covariance, or null without one.</summary>
    public (Tensor Mean, Tensor Covariance)? GaussianBase =>
        _baseMean is null || _basePrecision is null ? null : (_baseMean, linalg.inv(_basePrecision.to_type(ScalarType.Float64)));

    /// <summary>Mean and covariance (float64, ridged by 1e-6 of the mean variance) of the rows of <paramref name="data"/>.</summary>
    public static (Tensor Mean, Tensor Covariance) Moments(Tensor data)
    {
        var x = data.to_type(ScalarType.Float64);
        var mean = x.mean([0]);
        var centred = x - mean;
        var covariance = centred.T.matmul(centred) / x.shape[0];
        return (mean, covariance + eye(x.shape[1], dtype: ScalarType.Float64) * (1e-6 * covariance.diagonal().mean().ToDouble()));
    }

    /// <summary>The quadratic part: (alpha/2)|x|^2 plus the Gaussian base.</summary>
    private Tensor Quadratic(Tensor x)
    {
        var q = x.square().sum(-1).mul(_alpha / 2);
        if (_baseMean is null) return q;
        var centred = x - _baseMean;
        return q.add(centred.matmul(_basePrecision!).mul(centred).sum(-1).mul(0.5));
    }

    /// <summary>The quadratic part's gradient at x, or its Hessian applied to v (the same linear map without the shift).</summary>
    private Tensor QuadraticGradient(Tensor x, bool shifted = true)
    {
        var g = x.mul(_alpha);
        if (_basePrecision is null) return g;
        return g.add((shifted ? x - _baseMean! : x).matmul(_basePrecision));
    }

    /// <summary>The constrained weights W_1 .. W_{L-1}, w_L in forward order.</summary>
    public IReadOnlyList<ConstrainedWeight> ConstrainedWeights => _hiddenMaps.ToList();

    public override Tensor forward(Tensor x)
    {
        CheckInput(x);
        return Energy(PreActivations(x), x);
    }

    /// <summary>u_1 .. u_L, each [n, H].</summary>
    private Tensor[] PreActivations(Tensor x)
    {
        var pre = new Tensor[Spec.Depth];
        pre[0] = _inputMaps[0].forward(x);
        for (int l = 1; l < Spec.Depth; l++)
            pre[l] = nn.functional.linear(_activation.Apply(pre[l - 1]), _hiddenMaps[l - 1].Value).add_(_inputMaps[l].forward(x));
        return pre;
    }

    private Tensor Energy(Tensor[] pre, Tensor x) =>
        nn.functional.linear(_activation.Apply(pre[^1]), _hiddenMaps[Spec.Depth - 1].Value).squeeze(-1)
            .add(_inputMaps[Spec.Depth].forward(x).squeeze(-1)).add_(Quadratic(x));

    private void CheckInput(Tensor x)
    {
        if (x.dim() != 2 || x.shape[1] != Spec.Dimension)
            throw new ArgumentException($"the network takes inputs of shape [n, {Spec.Dimension}], got [{string.Join(", ", x.shape)}]");
    }

    /// <summary>
    /// E, its gradient, and the Hessian as an operator v -> Hess E(x) v at every row of x, without forming the
    /// Hessian: a tangent pass t_1 = A_0 v, t_(l+1) = W_l (s'(u_l) * t_l) + A_l v gives J_l v, and the
    /// transposed pass b_L = r_L, b_l = r_l + s'(u_l) * W_l^T b_(l+1) with r_l = c_l * J_l v and
    /// c_l = g_l * s''(u_l) gives sum_l J_l^T r_l = sum_l A_(l-1)^T b_l. Each product costs two passes of
    /// n x H^2 per layer, whatever d is. Differentiable in the parameters.
    /// </summary>
    public (Tensor Energy, Tensor Gradient, Func<Tensor, Tensor> HessianTimes) HessianOperator(Tensor x)
    {
        CheckInput(x);
        int depth = Spec.Depth;
        var pre = PreActivations(x);
        var slope = pre.Select(_activation.Derivative).ToArray();
        var readout = _hiddenMaps[depth - 1].Value; // [1, H]
        var top = _inputMaps[depth];
        var energy = Energy(pre, x);
        // Adjoints g_l = dE/dz_l and curvatures c_l = g_l * s''(u_l).
        var curvature = new Tensor[depth];
        var delta = new Tensor[depth]; // dE/du_l = g_l * s'(u_l)
        var adjoint = readout.expand(x.shape[0], -1);
        for (int l = depth - 1; l >= 0; l--)
        {
            curvature[l] = adjoint.mul(_activation.SecondDerivative(pre[l]));
            delta[l] = adjoint.mul(slope[l]);
            if (l > 0) adjoint = delta[l].matmul(_hiddenMaps[l - 1].Value);
        }
        var gradient = Enumerable.Range(0, depth).Select(l => delta[l].matmul(_inputMaps[l].weight!)).Aggregate((a, b) => a + b)
            .add(top.weight!).add(QuadraticGradient(x));

        Tensor HessianTimes(Tensor v)
        {
            var r = new Tensor[depth];
            var tangent = v.matmul(_inputMaps[0].weight!.T);
            for (int l = 0; l < depth; l++)
            {
                if (l > 0) tangent = slope[l - 1].mul(tangent).matmul(_hiddenMaps[l - 1].Value.T).add(v.matmul(_inputMaps[l].weight!.T));
                r[l] = curvature[l].mul(tangent);
            }
            var back = r[depth - 1];
            var product = back.matmul(_inputMaps[depth - 1].weight!);
            for (int l = depth - 2; l >= 0; l--)
            {
                back = r[l].add(slope[l].mul(back.matmul(_hiddenMaps[l].Value)));
                product = product.add(back.matmul(_inputMaps[l].weight!));
            }
            return product.add(QuadraticGradient(v, shifted: false));
        }

        return (energy, gradient, HessianTimes);
    }

    /// <summary>
    /// E, its gradient and its Hessian at every row of x, in closed form and differentiable in the parameters.
    /// Forward: u_l are the pre-activations and J_l = du_l/dx their per-sample Jacobians, with J_1 = A_0 and
    /// J_(l+1) = W_l diag(s'(u_l)) J_l + A_l. Then grad E = J_L^T (w_L * s'(u_L)) + a_L + alpha x.
    /// Backward: g_l = dE/dz_l, g_L = w_L and g_(l-1) = W_(l-1)^T (g_l * s'(u_l)); and since every u_l is
    /// affine in (z_(l-1), x), Hess E = alpha I + sum_l J_l^T diag(g_l * s''(u_l)) J_l: a few matrix products
    /// instead of one autograd pass per input coordinate. The Jacobians are kept transposed, [n, d, H], so
    /// that each propagation is one large matrix product with W_l^T rather than n small ones.
    /// </summary>
    public (Tensor Energy, Tensor Gradient, Tensor Hessian) Derivatives(Tensor x)
    {
        CheckInput(x);
        long n = x.shape[0], d = Spec.Dimension;
        int depth = Spec.Depth;
        var pre = PreActivations(x);
        var jacobiansT = new Tensor[depth]; // (du_l/dx)^T, [n, d, H]
        jacobiansT[0] = _inputMaps[0].weight!.T.unsqueeze(0).expand(n, -1, -1);
        for (int l = 1; l < depth; l++)
        {
            var w = _hiddenMaps[l - 1].Value;
            long h = w.shape[1];
            jacobiansT[l] = jacobiansT[l - 1].mul(_activation.Derivative(pre[l - 1]).unsqueeze(1)).reshape(n * d, h).matmul(w.T)
                .reshape(n, d, -1).add(_inputMaps[l].weight!.T);
        }
        var readout = _hiddenMaps[depth - 1].Value.squeeze(0); // w_L [H]
        var top = _inputMaps[depth];
        var energy = Energy(pre, x);
        var gradient = jacobiansT[depth - 1].mul(readout.mul(_activation.Derivative(pre[depth - 1])).unsqueeze(1)).sum(-1)
            .add(top.weight!).add(QuadraticGradient(x));

        var quadratic = eye(d, dtype: x.dtype).mul(_alpha);
        if (_basePrecision is not null) quadratic = quadratic.add(_basePrecision);
        var hessian = quadratic.expand(n, d, d);
        var adjoint = readout.expand(n, -1); // g_L
        for (int l = depth - 1; l >= 0; l--)
        {
            var curvature = adjoint.mul(_activation.SecondDerivative(pre[l])); // [n, H]
            hessian = hessian.add(jacobiansT[l].mul(curvature.unsqueeze(1)).bmm(jacobiansT[l].transpose(1, 2)));
            if (l > 0) adjoint = adjoint.mul(_activation.Derivative(pre[l])).matmul(_hiddenMaps[l - 1].Value);
        }
        return (energy, gradient, hessian);
    }
}
