using System.Text.Json.Serialization;
using IcnnLift.Convex;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace IcnnLift.Positivity;

/// <summary>Named sizes of the lift's hypernetwork (<see cref="LiftOptions.Preset"/>).</summary>
[JsonConverter(typeof(JsonStringEnumConverter<HypernetworkSize>))]
public enum HypernetworkSize
{
    /// <summary>Encoder 32, decoder 8.</summary>
    [JsonStringEnumMemberName("small")] Small,
    /// <summary>Encoder 256, decoder 128: about 1e6 parameters, the paper's size.</summary>
    [JsonStringEnumMemberName("paper")] Paper,
}

/// <summary>Settings of the lift's hypernetwork; they belong in the regime map.</summary>
/// <param name="EncoderWidth">Width of the per-sample encoder.</param>
/// <param name="DecoderWidth">Width of the decoder's last layer. The head has DecoderWidth x (constrained
/// weights) entries, the lift's main cost per step (Adam touches each), and this width bounds the rank of
/// the batch-to-batch fluctuation.</param>
/// <param name="HeadScale">Scale of the head's initial weights relative to PyTorch's Linear init. 0 is the
/// exact fair start (every softplus-family method starts with the same weights); a small value gives
/// batch-to-batch fluctuation from step 0 while b absorbs the mean.</param>
/// <param name="ConditioningSize">Rows of the training batch the hypernetwork sees (null: all of it).</param>
public sealed record LiftOptions(int EncoderWidth = 32, int DecoderWidth = 8, double HeadScale = 0.0, int? ConditioningSize = null)
{
    /// <summary>The hypernetwork's widths by name: <see cref="HypernetworkSize.Small"/> is the default above (about
    /// 75k parameters on the default ICNN, rank-8 fluctuation); <see cref="HypernetworkSize.Paper"/> matches the paper's
    /// matched-capacity control, about 1e6 parameters (encoder 256, decoder 128: the head alone is 128 x 8,256 on a
    /// width-64, depth-3 ICNN).</summary>
    public static LiftOptions Preset(HypernetworkSize size) => size switch
    {
        HypernetworkSize.Small => new LiftOptions(),
        HypernetworkSize.Paper => new LiftOptions(EncoderWidth: 256, DecoderWidth: 128),
        _ => throw new ArgumentOutOfRangeException(nameof(size), size, null),
    };

    /// <summary>Checks the options; the message names what is wrong.</summary>
    public void Validate()
    {
        if (EncoderWidth < 1) throw new ArgumentException($"--encoder-width must be positive, got {EncoderWidth}");
        if (DecoderWidth < 1) throw new ArgumentException($"--decoder-width must be positive, got {DecoderWidth}");
        if (!(HeadScale >= 0) || double.IsInfinity(HeadScale))
            throw new ArgumentException($"the lift's head scale must be a non-negative number, got {HeadScale}");
        if (ConditioningSize is < 1) throw new ArgumentException($"the conditioning batch size must be positive, got {ConditioningSize}");
    }
}

/// <summary>
/// The lift: weights = softplus(h_phi(X) + b), where h_phi is a DeepSets hypernetwork over the
/// conditioning batch X (the current training batch): a per-sample encoder, mean pooling (so the
/// summary does not depend on the order of the batch), and a decoder ending in a linear head with one
/// output per constrained coordinate. The head has no bias of its own: b is the one constant channel
/// (the slack), so that deleting it is a real deletion.
///
/// Fair start: the head starts at zero (or at <see cref="LiftOptions.HeadScale"/> times the usual
/// scale) and b at the direct method's t, so at step 0 the weights are those of direct softplus.
/// Without the bias (the ablation), b is frozen at that same value: no slack channel, same start.
/// With a fixed batch (lift-fixed), the body sees that batch at every step: the same parameters and start,
/// no batch noise.
/// </summary>
public sealed class Lift : SoftplusReadout
{
    private readonly Sequential _encoder;
    private readonly Sequential _decoder;
    private readonly Linear _head;
    private readonly Tensor _bias;
    private readonly LiftOptions _options;
    private readonly Tensor? _fixedBatch;

    /// <summary>The lift for weights of <paramref name="shapes"/> starting at <paramref name="initialWeights"/>, its hypernetwork reading batches of
    /// <paramref name="inputDimension"/> columns.</summary>
    public Lift(IReadOnlyList<long[]> shapes, Tensor initialWeights, int inputDimension, LiftOptions options, bool learnableBias, Generator generator,
        Tensor? fixedBatch = null)
        : base(fixedBatch is not null ? "lift-fixed" : learnableBias ? "lift" : "lift-nobias", shapes)
    {
        options.Validate();
        _options = options;
        if (fixedBatch is not null)
        {
            if (fixedBatch.dim() != 2 || fixedBatch.shape[1] != inputDimension)
                throw new ArgumentException($"the fixed batch must be [n, {inputDimension}], got [{string.Join(", ", fixedBatch.shape)}]");
            _fixedBatch = fixedBatch.detach().clone();
            register_buffer("fixed_batch", _fixedBatch);
        }
        var dtype = initialWeights.dtype;
        _encoder = nn.Sequential(Dense(inputDimension, options.EncoderWidth, generator, dtype), nn.SiLU());
        _decoder = nn.Sequential(Dense(options.EncoderWidth, options.DecoderWidth, generator, dtype), nn.SiLU());
        _head = Dense(options.DecoderWidth, Count, generator, dtype, hasBias: false, scale: options.HeadScale);
        var t0 = InverseSoftplus(initialWeights.detach());
        if (learnableBias)
        {
            var b = new Parameter(t0);
            register_parameter("b", b);
            _bias = b;
        }
        else
        {
            _bias = t0;
            register_buffer("b", _bias);
        }
        register_module("encoder", _encoder);
        register_module("decoder", _decoder);
        register_module("head", _head);
    }

    /// <summary>h_phi(X): the body's output [Count], before the bias; X is the fixed batch where there is one.</summary>
    public override Tensor Body(Tensor batch)
    {
        batch = _fixedBatch ?? batch;
        var x = _options.ConditioningSize is int k && k < batch.shape[0] ? batch.narrow(0, 0, k) : batch;
        var summary = _encoder.forward(x).mean([0], keepdim: true);
        return _head.forward(_decoder.forward(summary)).squeeze(0);
    }

    /// <summary>The learnable bias b (a fixed buffer in the no-bias ablation).</summary>

    public override Parameter? Slack => _bias as Parameter;

    /// <inheritdoc/>
    public override Tensor PreReadout(Tensor batch) => Body(batch) + _bias;

    /// <inheritdoc/>
    public override IEnumerable<Parameter> HypernetworkParameters =>
        _encoder.parameters().Concat(_decoder.parameters()).Concat(_head.parameters());

    private static Linear Dense(long inFeatures, long outFeatures, Generator g, ScalarType dtype, bool hasBias = true, double scale = 1.0)
    {
        var layer = nn.Linear(inFeatures, outFeatures, hasBias, dtype: dtype);
        using (no_grad())
        {
            var (w, b) = Initialization.FreeLinear(outFeatures, inFeatures, g, dtype);
            layer.weight!.copy_(w.mul_(scale));
            layer.bias?.copy_(b);
        }
        return layer;
    }
}
