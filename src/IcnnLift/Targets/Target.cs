using MathNet.Numerics.Distributions;

namespace IcnnLift.Targets;

/// <summary>A log-concave target with a known density and exact sampling.</summary>
public sealed class Target
{
    private readonly Func<Random, double[]> _sample;
    private readonly Func<double[], double> _logDensity;

    private Target(string name, int dimension, string description, Func<Random, double[]> sample, Func<double[], double> logDensity)
    {
        Name = name;
        Dimension = dimension;
        Description = description;
        _sample = sample;
        _logDensity = logDensity;
    }

    public string Name { get; }
    public int Dimension { get; }
    public string Description { get; }

    public double LogDensity(double[] x) => _logDensity(x);

    /// <summary><paramref name="n"/> exact samples, [n][d].</summary>
    public double[][] Sample(int n, Random rng) => Enumerable.Range(0, n).Select(_ => _sample(rng)).ToArray();

    public static IReadOnlyList<string> Names => Catalog.Keys.ToList();

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
    };

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
