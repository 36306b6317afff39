using IcnnLift.Positivity;
using TorchSharp;
using static TorchSharp.torch;

namespace IcnnLift.Diagnostics;

/// <summary>
/// A parameter space of a wrapped network, flattened to one float64 vector so that planes and trajectories
/// live in it: its blocks (one a layer's tensor, for per-layer scaling), how to read the current point and
/// how to move the network to a point. Two spaces matter here: the constrained space (the free parameters
/// and the constrained weights W) and the lifted space (the free parameters and the strategy's own
/// parameters, the lift's phi and b).
/// </summary>
public sealed class ParameterSpace
{
    private readonly Func<Tensor> _read;
    private readonly Action<Tensor> _write;

    private ParameterSpace(string name, IReadOnlyList<(string Name, long Size)> blocks, Func<Tensor> read, Action<Tensor> write)
    {
        Name = name;
        Blocks = blocks;
        Size = blocks.Sum(b => b.Size);
        _read = read;
        _write = write;
    }

    /// <summary>The space's name as figures show it.</summary>
    public string Name { get; }

    /// <summary>The named segments of the flat vector, in order.</summary>
    public IReadOnlyList<(string Name, long Size)> Blocks { get; }

    /// <summary>Number of coordinates.</summary>
    public long Size { get; }

    /// <summary>The network's current point [Size], float64, detached.</summary>
    public Tensor Read()
    {
        using (no_grad()) return _read().to_type(ScalarType.Float64);
    }

    /// <summary>Moves the network (its evaluation weights) to <paramref name="point"/>.</summary>
    public void Write(Tensor point)
    {
        if (point.shape.Length != 1 || point.shape[0] != Size)
            throw new ArgumentException($"a point of the {Name} space has {Size} coordinates, got [{string.Join(",", point.shape)}]");
        using (no_grad()) _write(point);
    }

    /// <summary>The free parameters and the constrained weights W (for the lift, collapsed on <paramref name="reference"/>).</summary>
    public static ParameterSpace Constrained(PositiveNetwork model, Tensor reference)
    {
        var free = model.Network.named_parameters().ToList();
        var blocks = free.Select(p => (p.name, p.parameter.numel()))
            .Concat(model.ConstrainedWeights.Select((w, i) => ($"W{i}", w.Stored.numel()))).ToList();
        return new ParameterSpace("constrained", blocks,
            () => cat([.. free.Select(p => p.parameter.detach().flatten().to_type(ScalarType.Float64)),
                model.CollapsedWeights(reference).to_type(ScalarType.Float64)]),
            point =>
            {
                long offset = CopyInto(free.Select(p => (Tensor)p.parameter), point, 0);
                model.Store(point.narrow(0, offset, point.shape[0] - offset).to_type(model.ConstrainedWeights[0].Stored.dtype));
            });
    }

    /// <summary>The free parameters and the strategy's parameters (phi and b for the lift); the constrained weights
    /// follow from them, collapsed on <paramref name="reference"/>.</summary>
    public static ParameterSpace Lifted(PositiveNetwork model, Tensor reference)
    {
        var parameters = model.Network.named_parameters().Concat(model.Strategy.named_parameters().Select(p => ($"strategy.{p.name}", p.parameter))).ToList();
        if (parameters.Count == model.Network.named_parameters().Count())
            throw new ArgumentException($"method '{model.Strategy.GetName()}' has no parameters of its own: its lifted space is its constrained space");
        return new ParameterSpace("lifted", parameters.Select(p => (p.Item1, p.Item2.numel())).ToList(),
            () => cat(parameters.Select(p => p.Item2.detach().flatten().to_type(ScalarType.Float64)).ToArray()),
            point =>
            {
                CopyInto(parameters.Select(p => (Tensor)p.Item2), point, 0);
                model.Collapse(reference);
            });
    }

    private static long CopyInto(IEnumerable<Tensor> targets, Tensor point, long offset)
    {
        foreach (var t in targets)
        {
            long n = t.numel();
            t.copy_(point.narrow(0, offset, n).view(t.shape).to_type(t.dtype));
            offset += n;
        }
        return offset;
    }
}
