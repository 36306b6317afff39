using IcnnLift.Runtime;
using TorchSharp;
using static TorchSharp.torch;

namespace IcnnLift.Diagnostics;

/// <summary>Settings of the escape SDE; every one is in the results' configuration.</summary>
/// <param name="Start">The pre-readout iterate's starting level, in the shoulder (below logit(sigma_s)).</param>
/// <param name="LearningRate">eta, the step size of the drift.</param>
/// <param name="TargetWeight">w*: the coordinate's loss is (softplus(t) - w*)^2 / 2, so its gradient pulls the weight up.</param>
/// <param name="GradientNoise">Scale of the mini-batch gradient noise, which enters through psi'(t) like the gradient.</param>
/// <param name="ShoulderSigma">sigma_s: the shoulder is psi'(t) &lt; sigma_s; a path escapes when it leaves it.</param>
/// <param name="Paths">Independent paths per noise level.</param>
/// <param name="Steps">Iterations simulated (the largest budget).</param>
public sealed record EscapeSdeOptions(double Start = -6, double LearningRate = 0.01, double TargetWeight = 1, double GradientNoise = 1,
    double ShoulderSigma = Shoulder.DefaultSigma, int Paths = 2000, int Steps = 20_000)
{
    /// <summary>These options, checked; the message names what is wrong.</summary>
    public EscapeSdeOptions Validated()
    {
        double threshold = Shoulder.Threshold(ShoulderSigma);
        if (!(Start < threshold)) throw new ArgumentException($"--start must be in the shoulder (below logit(sigma_s) = {threshold:F3}), got {Start}");
        if (!(LearningRate > 0) || double.IsInfinity(LearningRate)) throw new ArgumentException($"--lr must be a positive number, got {LearningRate}");
        if (!(TargetWeight > 0) || double.IsInfinity(TargetWeight))
            throw new ArgumentException($"--target-weight must be a positive number, got {TargetWeight}");
        if (!(GradientNoise >= 0) || double.IsInfinity(GradientNoise))
            throw new ArgumentException($"--gradient-noise must be a non-negative number, got {GradientNoise}");
        if (Paths < 1) throw new ArgumentException($"--paths must be positive, got {Paths}");
        if (Steps < 1) throw new ArgumentException($"--steps must be positive, got {Steps}");
        return this;
    }

    /// <summary>Iterations the noise-free path needs to leave the shoulder: integrating dt/dk = eta sigmoid(t) (w* - softplus(t))
    /// with sigmoid(t) ~ e^t and softplus(t) ~ 0 deep in the shoulder gives about (e^-start - e^-threshold) / (eta w*),
    /// exponential in the depth: direct softplus's trap.</summary>
    public double NoiseFreeEscapeSteps => (Math.Exp(-Start) - Math.Exp(-Shoulder.Threshold(ShoulderSigma))) / (LearningRate * TargetWeight);
}

/// <summary>
/// The one-coordinate bias-channel SDE of DESIGN section 1, by Euler-Maruyama with one step an iteration:
///   t_{k+1} = t_k - eta psi'(t_k) [ (psi(t_k) - w*) + s_grad xi_k ] + s_jac zeta_k,      xi, zeta ~ N(0, 1).
/// Everything that reaches t through the readout (the gradient and its mini-batch noise) is multiplied by
/// psi' = sigmoid, which vanishes in the shoulder. The lift adds s_jac zeta: the batch-to-batch fluctuation of
/// its body h_phi(X), which enters t = h_phi(X) + b directly, unattenuated. Direct softplus is s_jac = 0.
/// </summary>
public static class EscapeSde
{
    /// <summary>First-passage iteration out of the shoulder for each path (int.MaxValue: still inside after the budget).</summary>
    public static int[] FirstPassage(EscapeSdeOptions options, double jacobianNoise, int seed)
    {
        options.Validated();
        if (!(jacobianNoise >= 0) || double.IsInfinity(jacobianNoise))
            throw new ArgumentException($"the noise level must be a non-negative number, got {jacobianNoise}");
        using var scope = NewDisposeScope();
        var generator = TorchRuntime.NewGenerator((ulong)seed);
        double threshold = Shoulder.Threshold(options.ShoulderSigma);
        var t = full(options.Paths, options.Start, ScalarType.Float64);
        var passage = full(options.Paths, int.MaxValue, ScalarType.Int32);
        var inside = ones(options.Paths, ScalarType.Bool);
        for (int k = 1; k <= options.Steps; k++)
        {
            using var step = NewDisposeScope();
            var gradient = nn.functional.softplus(t) - options.TargetWeight + options.GradientNoise * randn(options.Paths, ScalarType.Float64,
                generator: generator);
            var move = -options.LearningRate * t.sigmoid() * gradient + jacobianNoise * randn(options.Paths, ScalarType.Float64, generator: generator);
            // Escaped paths stop: only the first passage is asked for.
            t.add_(move * inside);
            var escaped = inside & t.ge(threshold);
            passage.masked_fill_(escaped, k);
            inside.logical_and_(escaped.logical_not());
            if (k % 256 == 0 && !inside.any().ToBoolean()) break;
        }
        return passage.cpu().data<int>().ToArray();
    }

    /// <summary>Fraction of <paramref name="passage"/> times within <paramref name="budget"/> iterations.</summary>
    public static double EscapeFraction(IReadOnlyList<int> passage, int budget) => passage.Count(p => p <= budget) / (double)passage.Count;

    /// <summary>Wilson score interval (95%) of a fraction of <paramref name="n"/> trials.</summary>
    public static (double Low, double High) Wilson(double fraction, int n)
    {
        const double z = 1.959963984540054;
        double centre = (fraction + z * z / (2 * n)) / (1 + z * z / n);
        double half = z * Math.Sqrt(fraction * (1 - fraction) / n + z * z / (4.0 * n * n)) / (1 + z * z / n);
        return (Math.Max(0, centre - half), Math.Min(1, centre + half));
    }
}
