using TorchSharp;
using static TorchSharp.torch;

namespace IcnnLift.Tests;

/// <summary>Convexity checks in the style of ott-jax's tests: along segments, and the Hessian's spectrum.</summary>
internal static class Convexity
{
    /// <summary>Largest violation of strong midpoint convexity
    /// f((x+y)/2) &lt;= (f(x)+f(y))/2 - (alpha/8)|x-y|^2 over <paramref name="pairs"/> random pairs (positive means violated).</summary>
    public static double MidpointViolation(Func<Tensor, Tensor> f, int dimension, double alpha, int pairs, Generator g, double scale = 3.0)
    {
        using var scope = NewDisposeScope();
        using (no_grad())
        {
            var x = randn([pairs, dimension], ScalarType.Float64, generator: g).mul_(scale);
            var y = randn([pairs, dimension], ScalarType.Float64, generator: g).mul_(scale);
            var gap = f((x + y) / 2) - (f(x) + f(y)) / 2 + (x - y).square().sum(-1) * (alpha / 8);
            return gap.max().ToDouble();
        }
    }

    /// <summary>The Hessian of a scalar function at one point, by one autograd pass per coordinate.</summary>
    public static Tensor Hessian(Func<Tensor, Tensor> f, Tensor point)
    {
        var x = point.detach().clone().reshape(1, -1).requires_grad_(true);
        var grad = autograd.grad([f(x).sum()], [x], create_graph: true, retain_graph: true)[0];
        long d = x.shape[1];
        var rows = new Tensor[d];
        for (long i = 0; i < d; i++)
            rows[i] = autograd.grad([grad[0, i]], [x], retain_graph: true)[0].reshape(-1);
        return stack(rows).detach();
    }

    /// <summary>Smallest eigenvalue of the Hessian over <paramref name="points"/> random points.</summary>
    public static double MinHessianEigenvalue(Func<Tensor, Tensor> f, int dimension, int points, Generator g, double scale = 2.0)
    {
        using var scope = NewDisposeScope();
        double min = double.PositiveInfinity;
        for (int p = 0; p < points; p++)
        {
            var h = Hessian(f, randn([dimension], ScalarType.Float64, generator: g).mul_(scale));
            var symmetric = (h + h.T) / 2;
            min = Math.Min(min, linalg.eigvalsh(symmetric).min().ToDouble());
        }
        return min;
    }
}
