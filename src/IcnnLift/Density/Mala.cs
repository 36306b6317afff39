using IcnnLift.Convex;
using TorchSharp;
using static TorchSharp.torch;

namespace IcnnLift.Density;

/// <summary>
/// Metropolis-adjusted Langevin sampling from exp(-E) (log-concave targets mix well): proposals
/// x' = x - h grad E(x) + sqrt(2h) xi, accepted with the Metropolis-Hastings probability. Chains start at
/// the Laplace approximation (mode by Newton's method, covariance the inverse Hessian); during the first half
/// of the steps h adapts towards an acceptance rate of 0.574, then stays fixed.
/// </summary>
public static class Mala
{
    /// <summary>The acceptance rate the step size is adapted towards during burn-in.</summary>
    public const double TargetAcceptance = 0.574;

    /// <summary><paramref name="n"/> samples after <paramref name="steps"/> steps, and the acceptance rate of the fixed-h half.</summary>
    public static (Tensor Samples, double AcceptanceRate, double StepSize) Sample(InputConvexNetwork energy, int n, int steps, Generator generator,
        double initialStepSize = 0.1)
    {
        if (n < 1 || steps < 2) throw new ArgumentException("MALA needs at least one chain and two steps");
        int d = energy.Spec.Dimension;
        using (no_grad())
        {
            var dtype = energy.parameters().First().dtype;
            var (mode, _) = ConvexSolver.SolveGradient(energy, zeros(1, d, dtype: dtype));
            var hessian = energy.Derivatives(mode).Hessian[0].to_type(ScalarType.Float64);
            var factor = linalg.cholesky(linalg.inv(hessian));
            var x = (mode.to_type(ScalarType.Float64) + randn([n, d], ScalarType.Float64, generator: generator).matmul(factor.T)).to_type(dtype);
            double h = initialStepSize;
            long accepted = 0, proposed = 0;
            for (int step = 0; step < steps; step++)
            {
                using var scope = NewDisposeScope();
                var (e, g, _) = energy.HessianOperator(x);
                var candidate = x - h * g + Math.Sqrt(2 * h) * randn([n, d], dtype, generator: generator);
                var (ec, gc, _) = energy.HessianOperator(candidate);
                // log q(x | x') - log q(x' | x), q the Langevin proposal kernel.
                var forward = (candidate - x + h * g).square().sum(-1);
                var backward = (x - candidate + h * gc).square().sum(-1);
                var logRatio = e - ec + (forward - backward) / (4 * h);
                var accept = rand([n], dtype, generator: generator).log().lt(logRatio);
                x = where(accept.unsqueeze(-1), candidate, x).MoveToOuterDisposeScope();
                double rate = accept.to_type(ScalarType.Float64).mean().ToDouble();
                if (step < steps / 2) h *= Math.Exp(rate - TargetAcceptance); // adaptation, burn-in only
                else
                {
                    accepted += (long)Math.Round(rate * n);
                    proposed += n;
                }
            }
            return (x, (double)accepted / proposed, h);
        }
    }
}
