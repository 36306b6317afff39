using TorchSharp;
using static TorchSharp.torch;

namespace IcnnLift.Convex;

/// <summary>
/// The mark of a weight that must stay non-negative for the network to be convex. A convex module
/// declares these instead of parameters and reads <see cref="Value"/> in its forward pass.
/// <see cref="Positivity.PositiveNetwork"/> finds them and supplies their value from a
/// positivity strategy; unwrapped, the module uses the stored value (its initial weights, or the
/// collapsed weights after training), so a saved module is a plain convex network.
/// </summary>
public sealed class ConstrainedWeight : nn.Module
{
    private readonly Tensor _stored;
    private Tensor? _supplied;

    /// <summary>A weight named <paramref name="name"/> starting at <paramref name="initial"/> (non-negative).</summary>
    public ConstrainedWeight(string name, Tensor initial) : base(name)
    {
        using (no_grad())
        {
            if (initial.lt(0).any().item<bool>())
                throw new ArgumentException($"constrained weight '{name}' has negative initial entries");
            _stored = initial.detach().clone();
        }
        register_buffer("value", _stored);
    }

    /// <summary>The weights for the current forward pass.</summary>
    public Tensor Value => _supplied ?? _stored;

    /// <summary>The weights a plain (unwrapped) forward pass uses.</summary>
    public Tensor Stored => _stored;

    /// <summary>The weight's shape.</summary>
    public long[] Shape => _stored.shape;

    internal void Supply(Tensor? weights)
    {
        if (weights is not null && !weights.shape.SequenceEqual(_stored.shape))
            throw new ArgumentException($"constrained weight '{GetName()}' expects shape [{string.Join(",", _stored.shape)}], got "
                + $"[{string.Join(",", weights.shape)}]");
        _supplied = weights;
    }

    internal void Store(Tensor weights)
    {
        using (no_grad()) _stored.copy_(weights);
    }
}
