using IcnnLift.Targets;

namespace IcnnLift.Data;

/// <summary>Train, validation and test samples, [n][d] each.</summary>
public sealed record Dataset(string Name, double[][] Train, double[][] Validation, double[][] Test)
{
    /// <summary>Columns of every split.</summary>
    public int Dimension => Train[0].Length;

    /// <summary>Exact samples of a target; the three splits come from independent streams of one seed.</summary>
    public static Dataset FromTarget(Target target, int trainSize, int validationSize, int testSize, int seed)
    {
        if (trainSize < 2) throw new ArgumentException($"the training set needs at least 2 samples, got {trainSize}");
        if (validationSize < 1 || testSize < 1) throw new ArgumentException("validation and test sets need at least 1 sample");
        return new Dataset(target.Name,
            target.Sample(trainSize, new Random(SplitSeed(seed, 1))),
            target.Sample(validationSize, new Random(SplitSeed(seed, 2))),
            target.Sample(testSize, new Random(SplitSeed(seed, 3))));
    }

    /// <summary>A stable (not per-process randomised) seed for split <paramref name="stream"/>.</summary>
    private static int SplitSeed(int seed, int stream) => unchecked(seed * 1_000_003 + stream * 7_919);

    /// <summary>A user's samples, shuffled by seed and split 80 / 10 / 10. Samples a density cannot be fitted to are
    /// refused, named by <paramref name="source"/> (the file; default <paramref name="name"/>).</summary>
    public static Dataset FromSamples(string name, double[][] samples, int seed, string? source = null)
    {
        CheckFittable(samples, source ?? name);
        var shuffled = samples.ToArray();
        new Random(seed).Shuffle(shuffled);
        int test = samples.Length / 10, validation = samples.Length / 10;
        return new Dataset(name,
            shuffled[(test + validation)..],
            shuffled[test..(test + validation)],
            shuffled[..test]);
    }

    /// <summary>Enough rows to split, more training rows than columns (a d-dimensional density needs them; the Gaussian
    /// base and the importance proposal need a full-rank covariance), and no constant column (no density has zero spread).</summary>
    private static void CheckFittable(double[][] samples, string source)
    {
        if (samples.Length < 10) throw new InputException($"{source}: need at least 10 samples to split into train, validation and test, got {samples.Length}");
        int d = samples[0].Length, train = samples.Length - 2 * (samples.Length / 10);
        if (d >= train)
            throw new InputException($"{source}: {d} columns but only {train} training rows (80% of {samples.Length}); fitting a {d}-D density needs more "
                + "rows than columns");
        for (int j = 0; j < d; j++)
        {
            double first = samples[0][j];
            if (samples.All(r => r[j] == first))
                throw new InputException($"{source}, column {j + 1}: every sample has the value "
                    + $"{first.ToString("R", System.Globalization.CultureInfo.InvariantCulture)}; a constant column has no density (drop it)");
        }
    }
}
