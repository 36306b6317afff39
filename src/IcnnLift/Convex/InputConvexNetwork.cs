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
    /// <summary>The network alone.</summary>
    [JsonStringEnumMemberName("none")] None,
    /// <summary>The network plus the training data's Gaussian energy (fixed).</summary>
    [JsonStringEnumMemberName("gaussian")] Gaussian,
}

/// <summary>How the layers of an <see cref="InputConvexNetwork"/> are built.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<IcnnArchitecture>))]
public enum IcnnArchitecture
{
    /// <summary>Amos et al. 2017: every hidden unit carries the state, z(l+1) = s(W_l z_l + A_l x + b_l).</summary>
    [JsonStringEnumMemberName("dense")] Dense,
    /// <summary>The ICNN of CP-Flow's toy flows (Huang et al. 2021), built so that depth 20 stays well scaled: each
    /// positive map averages over its fan-in (W z / H), each hidden layer after the first is normalised per unit
    /// (a data-initialised shift and positive scale), half of it is an input branch s_sym(C_l x + e_l), the first
    /// layer uses s_sym, with s_sym(u) = s(u) - u/2 (convex, not monotone: it only ever acts on affine functions of
    /// x), and the output's scale and the quadratic weight alpha are learned (positive through softplus).</summary>
    [JsonStringEnumMemberName("cpflow")] CpFlow,
}

/// <summary>Shape and options of an <see cref="InputConvexNetwork"/>; saved with every run.</summary>
/// <param name="Dimension">Input dimension d.</param>
/// <param name="Width">Hidden units per layer H.</param>
/// <param name="Depth">Hidden layers L.</param>
/// <param name="Activation">The convex, non-decreasing activation (softplus when null).</param>
/// <param name="Alpha">Weight of the strong-convexity term (alpha/2)|x|^2.</param>
/// <param name="Initialization">How the weights start.</param>
/// <param name="Base">What the energy adds to itself (nothing, or the data's Gaussian energy).</param>
/// <param name="Architecture">How the layers are built (dense, or CP-Flow's).</param>
/// <param name="SymmetricInit">Every constrained weight starts at one value (the mean of the initialisation's
/// draw), the same for every seed and method; seeds then differ only in the free weights and the data.</param>
public sealed record IcnnSpec(
    int Dimension,
    int Width = 64,
    int Depth = 3,
    Activation? Activation = null,
    double Alpha = 0.01,
    InitializationKind Initialization = InitializationKind.Default,
    EnergyBase Base = EnergyBase.None,
    IcnnArchitecture Architecture = IcnnArchitecture.Dense,
    bool SymmetricInit = false)
{
    /// <summary>The activation; softplus when not given.</summary>
    public Activation Activation { get; init; } = Activation ?? Convex.Activation.Softplus;

    /// <summary>Checks the shape and options; the message names what is wrong.</summary>
    public void Validate()
    {
        if (Dimension < 1) throw new ArgumentException($"dimension must be positive, got {Dimension}");
        if (Width < 1) throw new ArgumentException($"width must be positive, got {Width}");
        if (Depth < 1) throw new ArgumentException($"depth must be positive, got {Depth}");
        if (Architecture == IcnnArchitecture.CpFlow && Width < 2)
            throw new ArgumentException($"the cpflow architecture needs a width of at least 2 (half of it is the input branch), got {Width}");
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
/// The <see cref="IcnnArchitecture.CpFlow"/> layers are the same equations with other maps: every pass first
/// folds the fan-in averaging, the per-unit normalisation and the output scale into effective A_l, b_l, W_l
/// (<see cref="Maps"/>; W_l gets zero rows for the input branch), so the forward pass and both Hessian
/// computations serve both architectures. Input [n, d], output [n].
/// </summary>
public sealed class InputConvexNetwork : nn.Module<Tensor, Tensor>
{
    private readonly ModuleList<Linear> _inputMaps = new();
    private readonly ModuleList<ConstrainedWeight> _hiddenMaps = new();
    private readonly Activation _activation;
    private readonly double _alpha;
    private readonly Tensor? _baseMean;
    private readonly Tensor? _basePrecision;
    // CpFlow only: per-unit shift and log-scale of hidden layers 1 .. L-1, the output's raw scale and raw alpha.
    private readonly ParameterList _shifts = new(), _logScales = new();
    private readonly Parameter? _rawOutputScale, _rawAlpha;
    private readonly Tensor?[] _symmetricUnits;
    private readonly int _carried;

    /// <summary>The network's shape and options.</summary>
    public IcnnSpec Spec { get; }

    /// <summary>A network of <paramref name="spec"/>'s shape, its weights drawn from <paramref name="generator"/>.</summary>
    public InputConvexNetwork(IcnnSpec spec, Generator generator, ScalarType dtype = ScalarType.Float32) : base("icnn")
    {
        spec.Validate();
        Spec = spec;
        _activation = spec.Activation;
        _alpha = spec.Alpha;
        bool cpflow = spec.Architecture == IcnnArchitecture.CpFlow;
        _carried = cpflow ? (spec.Width + 1) / 2 : spec.Width;
        _symmetricUnits = new Tensor?[spec.Depth];
        using (no_grad())
        {
            // A0 x + b0 feeds the first layer; A_l x + b_l the later ones; a_L x + c the output.
            for (int l = 0; l <= spec.Depth; l++)
            {
                long outFeatures = l == spec.Depth ? 1 : spec.Width;
                var (a, bias) = Initialization.FreeLinear(outFeatures, spec.Dimension, generator, dtype);
                if (l > 0)
                {
                    long carried = l == spec.Depth ? 1 : _carried;
                    var (w, shiftedBias) = Initialization.ConstrainedLinear(spec, carried, generator, dtype);
                    _hiddenMaps.Add(new ConstrainedWeight(l == spec.Depth ? "w_out" : $"W{l}", w));
                    if (spec.Initialization == InitializationKind.Principled && !cpflow) bias = shiftedBias;
                }
                var linear = nn.Linear(spec.Dimension, outFeatures, hasBias: true, dtype: dtype);
                linear.weight!.copy_(a);
                linear.bias!.copy_(bias);
                _inputMaps.Add(linear);
            }
        }
        if (cpflow)
        {
            for (int l = 1; l < spec.Depth; l++)
            {
                _shifts.Add(new Parameter(zeros(spec.Width, dtype)));
                _logScales.Add(new Parameter(zeros(spec.Width, dtype)));
            }
            _rawOutputScale = new Parameter(zeros(1, dtype));
            _rawAlpha = new Parameter(full(1, InverseSoftplus(spec.Alpha), dtype));
            register_parameter("output_scale", _rawOutputScale);
            register_parameter("alpha", _rawAlpha);
            // Buffers, so that they live as long as the network (and travel with it).
            for (int l = 0; l < spec.Depth; l++)
            {
                _symmetricUnits[l] = l == 0 ? ones(spec.Width, dtype) : cat([zeros(_carried, dtype), ones(spec.Width - _carried, dtype)]);
                register_buffer($"symmetric{l}", _symmetricUnits[l]!);
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

    private static double InverseSoftplus(double y) => y > 20 ? y : Math.Log(Math.Exp(y) - 1);

    /// <summary>Data-dependent initialisation of the <see cref="IcnnArchitecture.CpFlow"/> layers: layer by layer,
    /// the shift and scale that give each unit's pre-activation zero mean and unit variance over <paramref name="x"/>,
    /// then the output scale that gives the network's output (without the quadratic) unit variance. A no-op for
    /// the dense architecture.</summary>
    public void InitializeFrom(Tensor x)
    {
        if (_rawOutputScale is null) return;
        using var _ = no_grad();
        for (int l = 1; l < Spec.Depth; l++)
        {
            using var layer = NewDisposeScope(); // frees each pass's temporaries: x may be the whole training set
            var pre = PreActivations(x, Maps(), l + 1)[l];
            _shifts[l - 1].add_(pre.mean([0]).mul(_logScales[l - 1].exp()));
            _logScales[l - 1].add_(pre.std(0).clamp_min(1e-6).log());
        }
        using var scope = NewDisposeScope();
        var maps = Maps();
        var output = Energy(PreActivations(x, maps), x, maps).sub(Quadratic(x, maps.Alpha));
        double scale = nn.functional.softplus(_rawOutputScale).ToDouble() / output.std().clamp_min(1e-6).ToDouble();
        _rawOutputScale.fill_(InverseSoftplus(scale));
    }

    /// <summary>
    /// The effective affine maps of one pass: input maps A_l [out, d] and b_l, hidden maps W_l [out, H] (W_l feeds
    /// u_(l+1); the last is the readout), each layer's symmetric-unit mask, and alpha.
    /// </summary>
    private sealed record LayerMaps(Tensor[] InputWeights, Tensor[] InputBiases, Tensor[] Hidden, Tensor?[] Symmetric, Tensor Alpha);

    private LayerMaps Maps()
    {
        int depth = Spec.Depth;
        var a = _inputMaps.Select(m => (Tensor)m.weight!).ToArray();
        var b = _inputMaps.Select(m => (Tensor)m.bias!).ToArray();
        var w = _hiddenMaps.Select(m => m.Value).ToArray();
        if (_rawOutputScale is null || _rawAlpha is null)
            return new LayerMaps(a, b, w, _symmetricUnits, tensor(_alpha, a[0].dtype));
        double fanIn = Spec.Width;
        for (int l = 1; l < depth; l++)
        {
            var scale = _logScales[l - 1].neg().exp();
            var carried = w[l - 1].div(fanIn);
            var padded = cat([carried, zeros(Spec.Width - _carried, Spec.Width, dtype: carried.dtype)]);
            w[l - 1] = padded.mul(scale.unsqueeze(1));
            a[l] = a[l].mul(scale.unsqueeze(1));
            b[l] = b[l].sub(_shifts[l - 1]).mul(scale);
        }
        var outputScale = nn.functional.softplus(_rawOutputScale);
        w[depth - 1] = w[depth - 1].mul(outputScale.div(fanIn));
        a[depth] = a[depth].mul(outputScale);
        b[depth] = b[depth].mul(outputScale);
        return new LayerMaps(a, b, w, _symmetricUnits, nn.functional.softplus(_rawAlpha).squeeze());
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
    private Tensor Quadratic(Tensor x, Tensor alpha)
    {
        var q = x.square().sum(-1).mul(alpha).mul(0.5);
        if (_baseMean is null) return q;
        var centred = x - _baseMean;
        return q.add(centred.matmul(_basePrecision!).mul(centred).sum(-1).mul(0.5));
    }

    /// <summary>The quadratic part's gradient at x, or its Hessian applied to v (the same linear map without the shift).</summary>
    private Tensor QuadraticGradient(Tensor x, Tensor alpha, bool shifted = true)
    {
        var g = x.mul(alpha);
        if (_basePrecision is null) return g;
        return g.add((shifted ? x - _baseMean! : x).matmul(_basePrecision));
    }

    /// <summary>
    /// The network as the affine maps one pass uses, the same for both architectures (the cpflow layers folded in),
    /// named as the portable format names them: input_weight.l [out, d] and input_bias.l [out] for l = 0 .. L (A_l, b_l;
    /// the last, a_L and c, have out = 1), hidden_weight.l [out, H] for l = 1 .. L (W_l, feeding layer l; the last is the
    /// readout w_L), symmetric.l [H] for l = 0 .. L-1 (1 where the unit's activation is s(u) - u/2), alpha [], and
    /// base_mean [d] and base_precision [d, d] with the Gaussian base. Then
    /// u_0 = A_0 x + b_0, u_l = W_l a_(l-1) + A_l x + b_l, a_l = s(u_l) - (symmetric.l / 2) u_l and
    /// E(x) = w_L a_(L-1) + a_L x + c + (alpha/2)|x|^2 (+ (1/2)(x - m)^T P (x - m)).
    /// </summary>
    public IReadOnlyList<(string Name, Tensor Value)> EffectiveMaps()
    {
        using var _ = no_grad();
        var maps = Maps();
        int depth = Spec.Depth;
        var named = new List<(string, Tensor)>();
        for (int l = 0; l <= depth; l++)
        {
            named.Add(($"input_weight.{l}", maps.InputWeights[l]));
            named.Add(($"input_bias.{l}", maps.InputBiases[l]));
        }
        for (int l = 1; l <= depth; l++) named.Add(($"hidden_weight.{l}", maps.Hidden[l - 1]));
        for (int l = 0; l < depth; l++) named.Add(($"symmetric.{l}", maps.Symmetric[l] ?? zeros(Spec.Width, dtype: maps.Alpha.dtype)));
        named.Add(("alpha", maps.Alpha.reshape([])));
        if (_baseMean is not null) named.AddRange([("base_mean", _baseMean), ("base_precision", _basePrecision!)]);
        return named.Select(n => (n.Item1, n.Item2.detach().clone())).ToList();
    }

    /// <summary>The constrained weights W_1 .. W_{L-1}, w_L in forward order.</summary>
    public IReadOnlyList<ConstrainedWeight> ConstrainedWeights => _hiddenMaps.ToList();

    /// <summary>E(x) at every row of x [n, d]: [n].</summary>
    public override Tensor forward(Tensor x)
    {
        CheckInput(x);
        var maps = Maps();
        return Energy(PreActivations(x, maps), x, maps);
    }

    /// <summary>The activation of layer l's units (symmetric where the mask says so), its first and second derivatives.</summary>
    private Tensor Activate(Tensor u, Tensor? symmetric) => symmetric is null ? _activation.Apply(u) : _activation.Apply(u).sub(u.mul(symmetric).mul(0.5));

    private Tensor Slope(Tensor u, Tensor? symmetric) => symmetric is null ? _activation.Derivative(u) : _activation.Derivative(u).sub(symmetric.mul(0.5));

    /// <summary>u_1 .. u_L, each [n, H] (the first <paramref name="layers"/> of them when given).</summary>
    private Tensor[] PreActivations(Tensor x, LayerMaps maps, int? layers = null)
    {
        var pre = new Tensor[layers ?? Spec.Depth];
        pre[0] = nn.functional.linear(x, maps.InputWeights[0], maps.InputBiases[0]);
        for (int l = 1; l < pre.Length; l++)
            pre[l] = nn.functional.linear(Activate(pre[l - 1], maps.Symmetric[l - 1]), maps.Hidden[l - 1])
                .add_(nn.functional.linear(x, maps.InputWeights[l], maps.InputBiases[l]));
        return pre;
    }

    private Tensor Energy(Tensor[] pre, Tensor x, LayerMaps maps)
    {
        int depth = Spec.Depth;
        return nn.functional.linear(Activate(pre[^1], maps.Symmetric[depth - 1]), maps.Hidden[depth - 1]).squeeze(-1)
            .add(nn.functional.linear(x, maps.InputWeights[depth], maps.InputBiases[depth]).squeeze(-1)).add_(Quadratic(x, maps.Alpha));
    }

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
        var maps = Maps();
        var (a, w) = (maps.InputWeights, maps.Hidden);
        var pre = PreActivations(x, maps);
        var slope = pre.Select((u, l) => Slope(u, maps.Symmetric[l])).ToArray();
        var energy = Energy(pre, x, maps);
        // Adjoints g_l = dE/dz_l and curvatures c_l = g_l * s''(u_l).
        var curvature = new Tensor[depth];
        var delta = new Tensor[depth]; // dE/du_l = g_l * s'(u_l)
        var adjoint = w[depth - 1].expand(x.shape[0], -1);
        for (int l = depth - 1; l >= 0; l--)
        {
            curvature[l] = adjoint.mul(_activation.SecondDerivative(pre[l]));
            delta[l] = adjoint.mul(slope[l]);
            if (l > 0) adjoint = delta[l].matmul(w[l - 1]);
        }
        var gradient = Enumerable.Range(0, depth).Select(l => delta[l].matmul(a[l])).Aggregate((p, q) => p + q)
            .add(a[depth]).add(QuadraticGradient(x, maps.Alpha));

        Tensor HessianTimes(Tensor v)
        {
            var r = new Tensor[depth];
            var tangent = v.matmul(a[0].T);
            for (int l = 0; l < depth; l++)
            {
                if (l > 0) tangent = slope[l - 1].mul(tangent).matmul(w[l - 1].T).add(v.matmul(a[l].T));
                r[l] = curvature[l].mul(tangent);
            }
            var back = r[depth - 1];
            var product = back.matmul(a[depth - 1]);
            for (int l = depth - 2; l >= 0; l--)
            {
                back = r[l].add(slope[l].mul(back.matmul(w[l])));
                product = product.add(back.matmul(a[l]));
            }
            return product.add(QuadraticGradient(v, maps.Alpha, shifted: false));
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
        var maps = Maps();
        var (a, w) = (maps.InputWeights, maps.Hidden);
        var pre = PreActivations(x, maps);
        var slope = pre.Select((u, l) => Slope(u, maps.Symmetric[l])).ToArray();
        var jacobiansT = new Tensor[depth]; // (du_l/dx)^T, [n, d, H]
        jacobiansT[0] = a[0].T.unsqueeze(0).expand(n, -1, -1);
        for (int l = 1; l < depth; l++)
        {
            long h = w[l - 1].shape[1];
            jacobiansT[l] = jacobiansT[l - 1].mul(slope[l - 1].unsqueeze(1)).reshape(n * d, h).matmul(w[l - 1].T)
                .reshape(n, d, -1).add(a[l].T);
        }
        var readout = w[depth - 1].squeeze(0); // w_L [H]
        var energy = Energy(pre, x, maps);
        var gradient = jacobiansT[depth - 1].mul(readout.mul(slope[depth - 1]).unsqueeze(1)).sum(-1)
            .add(a[depth]).add(QuadraticGradient(x, maps.Alpha));

        var quadratic = eye(d, dtype: x.dtype).mul(maps.Alpha);
        if (_basePrecision is not null) quadratic = quadratic.add(_basePrecision);
        var hessian = quadratic.expand(n, d, d);
        var adjoint = readout.expand(n, -1); // g_L
        for (int l = depth - 1; l >= 0; l--)
        {
            var curvature = adjoint.mul(_activation.SecondDerivative(pre[l])); // [n, H]
            hessian = l == 0
                // J_1 = A_0 for every sample: one product of [n, H] with the outer products of A_0's rows [H, d d].
                ? hessian.add(curvature.matmul(a[0].unsqueeze(2).mul(a[0].unsqueeze(1)).reshape(-1, d * d)).reshape(n, d, d))
                : hessian.add(jacobiansT[l].mul(curvature.unsqueeze(1)).bmm(jacobiansT[l].transpose(1, 2)));
            if (l > 0) adjoint = adjoint.mul(slope[l]).matmul(w[l - 1]);
        }
        return (energy, gradient, hessian);
    }
}
