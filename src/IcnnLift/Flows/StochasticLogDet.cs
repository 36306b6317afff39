using TorchSharp;
using static TorchSharp.torch;

namespace IcnnLift.Flows;

/// <summary>
/// log det of symmetric positive-definite Hessians known only through products v -> H v, per sample, for
/// dimensions where forming H is too dear (CP-Flow's approach). Training uses a surrogate whose gradient is
/// the Hutchinson estimate of the gradient of log det; evaluation uses stochastic Lanczos quadrature.
/// </summary>
public static class StochasticLogDet
{
    /// <summary>Rademacher probes (+-1), [n, d].</summary>
    public static Tensor Probes(long n, long d, ScalarType dtype, Generator generator) =>
        randint(0, 2, [n, d], dtype: dtype, generator: generator).mul_(2).sub_(1);

    /// <summary>Solves H w = v per sample by conjugate gradients (no gradient is tracked).</summary>
    public static Tensor ConjugateGradient(Func<Tensor, Tensor> hessianTimes, Tensor v, int maxIterations = 50, double tolerance = 1e-5)
    {
        using (no_grad())
        {
            var w = zeros_like(v);
            var r = v.clone();
            var p = r.clone();
            var rr = r.square().sum(-1, keepdim: true);
            var stop = v.square().sum(-1, keepdim: true).mul(tolerance * tolerance);
            for (int i = 0; i < maxIterations && rr.gt(stop).any().item<bool>(); i++)
            {
                var hp = hessianTimes(p);
                var step = rr.div(p.mul(hp).sum(-1, keepdim: true).clamp_min(1e-30));
                w = w.add(step.mul(p));
                r = r.sub(step.mul(hp));
                var rrNext = r.square().sum(-1, keepdim: true);
                p = r.add(rrNext.div(rr.clamp_min(1e-30)).mul(p));
                rr = rrNext;
            }
            return w;
        }
    }

    /// <summary>
    /// w^T (H v) with w = H^-1 v held constant: its value is about d, its gradient in the parameters is
    /// v^T H^-1 (dH) v, whose expectation over probes is the gradient of log det H.
    /// </summary>
    public static Tensor Surrogate(Func<Tensor, Tensor> hessianTimes, Tensor probes, int cgIterations = 50, double cgTolerance = 1e-5)
    {
        var w = ConjugateGradient(hessianTimes, probes, cgIterations, cgTolerance).detach();
        return w.mul(hessianTimes(probes)).sum(-1);
    }

    /// <summary>
    /// Stochastic Lanczos quadrature: with q1 = v/|v| and T the m x m Lanczos tridiagonal matrix of H,
    /// v^T log(H) v is about |v|^2 sum_k tau_k^2 log theta_k (theta, tau: eigenvalues of T and first
    /// components of its eigenvectors); averaged over probes, log det = tr log H. m is capped at d (where the
    /// quadrature is exact in exact arithmetic). No gradient is tracked.
    /// </summary>
    public static Tensor Lanczos(Func<Tensor, Tensor> hessianTimes, Tensor probes, int steps = 20)
    {
        using (no_grad())
        {
            long n = probes.shape[0], d = probes.shape[1];
            int m = (int)Math.Min(steps, d);
            var norm2 = probes.square().sum(-1);
            var q = probes.div(norm2.sqrt().unsqueeze(-1));
            var previous = zeros_like(q);
            var beta = zeros(n, 1, dtype: q.dtype);
            var alphas = new Tensor[m];
            var betas = new Tensor[Math.Max(m - 1, 0)];
            for (int j = 0; j < m; j++)
            {
                var w = hessianTimes(q).sub(beta.mul(previous));
                var alpha = q.mul(w).sum(-1, keepdim: true);
                w = w.sub(alpha.mul(q));
                alphas[j] = alpha.squeeze(-1);
                if (j == m - 1) break;
                beta = w.square().sum(-1, keepdim: true).sqrt().clamp_min(1e-12);
                betas[j] = beta.squeeze(-1);
                previous = q;
                q = w.div(beta);
            }
            var tridiagonal = diag_embed(stack(alphas, -1).to_type(ScalarType.Float64));
            if (m > 1)
            {
                var off = diag_embed(stack(betas, -1).to_type(ScalarType.Float64), offset: 1);
                tridiagonal = tridiagonal.add(off).add(off.transpose(1, 2));
            }
            var (theta, vectors) = linalg.eigh(tridiagonal);
            var tau2 = vectors[.., 0, ..].square();
            return norm2.to_type(ScalarType.Float64).mul(tau2.mul(theta.clamp_min(1e-30).log()).sum(-1)).to_type(probes.dtype);
        }
    }
}
