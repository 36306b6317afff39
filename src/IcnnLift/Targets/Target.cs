using IcnnLift.Density;
using MathNet.Numerics.Distributions;

namespace IcnnLift.Targets;

/// <summary>A synthetic target with exact sampling and, for most, a known density: the log-concave targets of the
/// energy model, the standard 2-D flow benchmarks, and tabular stand-ins.</summary>
public sealed class Target
{
    private readonly Func<Random, double[]> _sample;
    private readonly Func<double[], double>? _logDensity;

    private Target(string name, int dimension, string description, Func<Random, double[]> sample, Func<double[], double>? logDensity,
        Modes? modes = null)
    {
        Modes = modes;
        Name = name;
        Dimension = dimension;
        Description = description;
        _sample = sample;
        _logDensity = logDensity;
    }

    /// <summary>The target's command-line name.</summary>
    public string Name { get; }
    /// <summary>Dimension of its samples.</summary>
    public int Dimension { get; }
    /// <summary>What it is, in a line.</summary>
    public string Description { get; }

    /// <summary>The modes of a mixture of well-separated components (8gaussians), for the mode coverage; null otherwise.</summary>
    public Modes? Modes { get; }

    /// <summary>Whether the density is known in closed form (2-spirals' is not, nor the tabular stand-ins').</summary>
    public bool HasDensity => _logDensity is not null;

    /// <summary>log p at a point, where known in closed form.</summary>
    public double LogDensity(double[] x) =>
        _logDensity is null ? throw new InvalidOperationException($"target '{Name}' has no closed-form density") : _logDensity(x);

    /// <summary><paramref name="n"/> exact samples, [n][d].</summary>
    public double[][] Sample(int n, Random rng) => Enumerable.Range(0, n).Select(_ => _sample(rng)).ToArray();

    /// <summary>Every target's name.</summary>
    public static IReadOnlyList<string> Names => Catalog.Keys.ToList();

    /// <summary>The target named <paramref name="name"/>; an unknown name is an <see cref="ArgumentException"/> listing the targets.</summary>
    public static Target Get(string name) =>
        Catalog.TryGetValue(name.Trim().ToLowerInvariant(), out var make)
            ? make()
            : throw new ArgumentException($"unknown target '{name}' ({string.Join(", ", Catalog.Keys)})");

    private static readonly IReadOnlyDictionary<string, Func<Target>> Catalog = new Dictionary<string, Func<Target>>
    {
        ["gumbel"] = () => Univariate("gumbel", "Gumbel(location 0, scale 1)",
            u => -Math.Log(-Math.Log(u)),
            x => -(x + Math.Exp(-x))),
        ["gamma"] = () =>
        {
            var gamma = new Gamma(3.0, 1.0); // shape 3, rate 1: log-concave (shape >= 1)
            return new Target("gamma", 1, "Gamma(shape 3, rate 1)",
                rng => [Gamma.Sample(rng, gamma.Shape, gamma.Rate)], x => GammaLogDensity(gamma, x[0]));
        },
        ["laplace"] = () => Univariate("laplace", "Laplace(location 0, scale 1)",
            u => -Math.Sign(u - 0.5) * Math.Log(1 - 2 * Math.Abs(u - 0.5)),
            new Laplace(0.0, 1.0).DensityLn),
        ["logistic"] = () => Univariate("logistic", "logistic(location 0, scale 1)",
            u => Math.Log(u / (1 - u)),
            x => -Math.Abs(x) - 2 * Math.Log(1 + Math.Exp(-Math.Abs(x)))),
        ["gaussian"] = () =>
        {
            var normal = new Normal(0.0, 1.0);
            return Univariate("gaussian", "Gaussian(mean 0, sd 1)", normal.InverseCumulativeDistribution, normal.DensityLn);
        },
        ["gamma-mode-2d"] = () =>
        {
            // Product of two gamma densities with interior modes (2 and 2): log-concave, skewed, anisotropic.
            var a = new Gamma(3.0, 1.0);
            var b = new Gamma(5.0, 2.0);
            return new Target("gamma-mode-2d", 2, "Gamma(shape 3, rate 1) x Gamma(shape 5, rate 2)",
                rng => [Gamma.Sample(rng, a.Shape, a.Rate), Gamma.Sample(rng, b.Shape, b.Rate)],
                x => GammaLogDensity(a, x[0]) + GammaLogDensity(b, x[1]));
        },
        ["8gaussians"] = () => EightGaussians(),
        ["2spirals"] = () => new Target("2spirals", 2, "two interleaved spirals (FFJORD's construction)", TwoSpirals, null),
        ["checkerboard"] = () => new Target("checkerboard", 2, "uniform on the 8 dark squares of a 4 x 4 board of side 8",
            rng =>
            {
                double x1 = rng.NextDouble() * 4 - 2;
                double x2 = rng.NextDouble() - 2 * rng.Next(2) + Mod(Math.Floor(x1), 2);
                return [2 * x1, 2 * x2];
            },
            x => Math.Abs(x[0]) < 4 && Math.Abs(x[1]) < 4 && Mod(Math.Floor(x[0] / 2) + Math.Floor(x[1] / 2), 2) == 0
                ? Math.Log(1.0 / 32) : double.NegativeInfinity),
        ["tabular-6d"] = () => Tabular(6),
        ["tabular-21d"] = () => Tabular(21),
        ["tabular-32d"] = () => Tabular(32),
    };

    private static double Mod(double a, double m) => a - m * Math.Floor(a / m);

    /// <summary>Eight Gaussians of sd 0.5/sqrt 2 at radius 4/sqrt 2 (FFJORD's construction); its density is the mixture's. A mode's
    /// region is the disk of two sd around its centre (86% of its component's mass; neighbours are 2.16 apart, six sd).</summary>
    private static Target EightGaussians()
    {
        double r = 4 / 1.414, sd = 0.5 / 1.414;
        var centres = Enumerable.Range(0, 8).Select(k => new[] { r * Math.Cos(k * Math.PI / 4), r * Math.Sin(k * Math.PI / 4) }).ToArray();
        return new Target("8gaussians", 2, "8 Gaussians on a circle", rng =>
        {
            var c = centres[rng.Next(8)];
            return [c[0] + sd * Normal.Sample(rng, 0, 1), c[1] + sd * Normal.Sample(rng, 0, 1)];
        }, x =>
        {
            var terms = centres.Select(c => -((x[0] - c[0]) * (x[0] - c[0]) + (x[1] - c[1]) * (x[1] - c[1])) / (2 * sd * sd)).ToArray();
            double max = terms.Max();
            return max + Math.Log(terms.Sum(t => Math.Exp(t - max)) / 8) - Math.Log(2 * Math.PI * sd * sd);
        }, new Modes(centres, 2 * sd));
    }

    private static double[] TwoSpirals(Random rng)
    {
        double n = Math.Sqrt(rng.NextDouble()) * 540 * 2 * Math.PI / 360;
        double x = -Math.Cos(n) * n + rng.NextDouble() * 0.5, y = Math.Sin(n) * n + rng.NextDouble() * 0.5;
        double sign = rng.Next(2) == 0 ? 1 : -1;
        return [sign * x / 3 + 0.1 * Normal.Sample(rng, 0, 1), sign * y / 3 + 0.1 * Normal.Sample(rng, 0, 1)];
    }

    /// <summary>
    /// A d-dimensional stand-in for the UCI tabular sets, generated without downloads: a mixture of four
    /// correlated Gaussians (its structure fixed by d), then every third coordinate skewed (exp) and every
    /// third heavy-tailed (sinh), as tabular features are. No closed-form density.
    /// </summary>
    private static Target Tabular(int d)
    {
        var structure = new Random(7919 * d);
        const int components = 4;
        var means = Enumerable.Range(0, components).Select(_ => Enumerable.Range(0, d).Select(_ => 2 * Normal.Sample(structure, 0, 1)).ToArray()).ToArray();
        var mixing = Enumerable.Range(0, components).Select(_ =>
            Enumerable.Range(0, d).Select(i => Enumerable.Range(0, d).Select(j => (i == j ? 1.0 : 0.0) + 0.3 * Normal.Sample(structure, 0,
                1)).ToArray()).ToArray()).ToArray();
        return new Target($"tabular-{d}d", d, $"{d}-D mixture with skewed and heavy-tailed coordinates", rng =>
        {
            int k = rng.Next(components);
            var e = Enumerable.Range(0, d).Select(_ => Normal.Sample(rng, 0, 1)).ToArray();
            return Enumerable.Range(0, d).Select(i =>
            {
                double v = means[k][i] + Enumerable.Range(0, d).Sum(j => mixing[k][i][j] * e[j]) / Math.Sqrt(d) * 2;
                return (i % 3) switch { 1 => Math.Exp(0.4 * v), 2 => Math.Sinh(0.7 * v), _ => v };
            }).ToArray();
        }, null);
    }

    /// <summary>A 1-D target sampled by inverting its CDF at a uniform draw in (0, 1).</summary>
    private static Target Univariate(string name, string description, Func<double, double> inverseCdf, Func<double, double> logDensity) =>
        new(name, 1, description, rng => [inverseCdf(OpenUniform(rng))], x => logDensity(x[0]));

    /// <summary>MathNet gives NaN off the support; the density there is zero.</summary>
    private static double GammaLogDensity(Gamma gamma, double x) => x > 0 ? gamma.DensityLn(x) : double.NegativeInfinity;

    private static double OpenUniform(Random rng)
    {
        double u;
        do u = rng.NextDouble(); while (u <= 0);
        return u;
    }
}
