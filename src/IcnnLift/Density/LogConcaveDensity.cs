using IcnnLift.Convex;
using TorchSharp;
using static TorchSharp.torch;

namespace IcnnLift.Density;

/// <summary>
/// p(x) = exp(-E(x)) / Z with E an input-convex network, so p is log-concave; trained by maximum likelihood,
/// NLL = mean E(x) + log Z, with log Z by quadrature (d &lt;= 2).
/// </summary>
public sealed class LogConcaveDensity : IDensityModel
{
    private readonly Tensor _grid;

    public LogConcaveDensity(InputConvexNetwork energy, QuadratureNormalizer normalizer, ScalarType dtype)
    {
        if (normalizer.Dimension != energy.Spec.Dimension)
            throw new ArgumentException($"the normaliser is {normalizer.Dimension}-D but the energy takes {energy.Spec.Dimension}-D inputs");
        Energy = energy;
        Normalizer = normalizer;
        _grid = normalizer.Grid(dtype).DetachFromDisposeScope(); // lives as long as the model
    }

    public InputConvexNetwork Energy { get; }

    public QuadratureNormalizer Normalizer { get; }

    public nn.Module<Tensor, Tensor> Module => Energy;

    public int Dimension => Energy.Spec.Dimension;

    /// <summary>One energy pass over the data and the grid together.</summary>
    public Tensor Nll(Tensor x)
    {
        var e = Energy.forward(cat([x, _grid]));
        return e.narrow(0, 0, x.shape[0]).mean().add(Normalizer.LogZ(e.narrow(0, x.shape[0], _grid.shape[0])));
    }

    public Tensor LogDensity(Tensor x)
    {
        var e = Energy.forward(cat([x, _grid]));
        return e.narrow(0, 0, x.shape[0]).neg().sub(Normalizer.LogZ(e.narrow(0, x.shape[0], _grid.shape[0])));
    }

    public double LogZ()
    {
        using var scope = NewDisposeScope();
        using (no_grad()) return Normalizer.LogZ(Energy.forward(_grid)).ToDouble();
    }
}
