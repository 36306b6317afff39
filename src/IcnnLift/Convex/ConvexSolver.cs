using TorchSharp;
using static TorchSharp.torch;

namespace IcnnLift.Convex;

/// <summary>Solves grad F(x) = y for a strongly convex input-convex network F, row by row.</summary>
public static class ConvexSolver
{
    /// <summary>
    /// x with grad F(x) = y for every row of <paramref name="y"/> [n, d]: the minimiser of F(x) - y.x (with
    /// y = 0, the minimiser of F). Damped Newton steps with the closed-form Hessian, backtracking on the
    /// residual norm (computed without the cancellation that F(x) - y.x suffers in float32). Returns the
    /// largest residual |grad F(x) - y| over rows, so a failed solve is reported. No gradient is tracked.
    /// </summary>
    public static (Tensor X, double Residual) SolveGradient(InputConvexNetwork potential, Tensor y, int maxIterations = 50, double? tolerance = null)
    {
        double tol = tolerance ?? (y.dtype == ScalarType.Float64 ? 1e-9 : 1e-4);
        using (no_grad())
        {
            var x = y.clone();
            double residual = double.PositiveInfinity;
            for (int iteration = 0; iteration < maxIterations; iteration++)
            {
                using var scope = NewDisposeScope();
                var (_, gradient, hessian) = potential.Derivatives(x);
                var g = gradient - y;
                var norm = g.square().sum(-1).sqrt();
                residual = norm.max().ToDouble();
                if (!(residual > tol)) break;
                var step = linalg.solve(hessian, g.unsqueeze(-1)).squeeze(-1);
                // Halve the step per row until the residual norm falls enough (at most 30 times).
                var t = ones_like(norm);
                var candidate = x - step;
                for (int halving = 0; halving < 30; halving++)
                {
                    var candidateNorm = (potential.Derivatives(candidate).Gradient - y).square().sum(-1).sqrt();
                    var insufficient = candidateNorm.gt(norm * (1 - 0.25 * t)).logical_and(norm.gt(tol));
                    if (!insufficient.any().item<bool>()) break;
                    t = where(insufficient, t * 0.5, t);
                    candidate = x - t.unsqueeze(-1) * step;
                }
                x = candidate.MoveToOuterDisposeScope();
            }
            return (x, residual);
        }
    }
}
