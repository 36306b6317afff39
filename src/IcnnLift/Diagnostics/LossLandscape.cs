using System.Diagnostics;
using TorchSharp;
using static TorchSharp.torch;

namespace IcnnLift.Diagnostics;

/// <summary>
/// A plane through <see cref="Origin"/> spanned by <see cref="Toward"/> (the direction to another point, so that
/// alpha = 1 is that point) and <see cref="Random"/>: a Gaussian direction scaled block by block (layer by
/// layer) to the norm of the first direction's block (or, where that block does not move, the origin's),
/// then made orthogonal to the first and rescaled to its length, so that one unit means the same on both axes.
/// </summary>
public sealed record LandscapePlane(Tensor Origin, Tensor Toward, Tensor Random)
{
    /// <summary>The plane through <paramref name="origin"/> and <paramref name="other"/>, its second direction drawn at random and filter-normalised
    /// per block.</summary>
    public static LandscapePlane Through(Tensor origin, Tensor other, IReadOnlyList<(string Name, long Size)> blocks, Generator generator)
    {
        var toward = (other - origin).to_type(ScalarType.Float64);
        double length = toward.norm().ToDouble();
        if (!(length > 0)) throw new ArgumentException("the plane's two points coincide: no direction between them");
        var random = randn(toward.shape[0], ScalarType.Float64, generator: generator);
        long offset = 0;
        foreach (var (_, size) in blocks)
        {
            var part = random.narrow(0, offset, size);
            double scale = toward.narrow(0, offset, size).norm().ToDouble();
            if (!(scale > 0)) scale = origin.narrow(0, offset, size).norm().ToDouble();
            part.mul_(scale / Math.Max(part.norm().ToDouble(), 1e-300));
            offset += size;
        }
        random = random - toward * (random.dot(toward) / (length * length));
        random = random * (length / random.norm().ToDouble());
        return new LandscapePlane(origin.to_type(ScalarType.Float64), toward, random);
    }

    /// <summary>The parameter vector at (alpha, beta) on the plane.</summary>
    public Tensor At(double alpha, double beta) => Origin + alpha * Toward + beta * Random;

    /// <summary>Coordinates of the orthogonal projection of <paramref name="point"/> onto the plane.</summary>
    public (double Alpha, double Beta) Project(Tensor point)
    {
        using var scope = NewDisposeScope();
        var offset = point.to_type(ScalarType.Float64) - Origin;
        // The directions are orthogonal: each coordinate is a separate projection.
        return (offset.dot(Toward).ToDouble() / Toward.dot(Toward).ToDouble(), offset.dot(Random).ToDouble() / Random.dot(Random).ToDouble());
    }
}

/// <summary>The loss on a grid of a plane: <see cref="Values"/>[i, j] at (Alphas[i], Betas[j]); not-finite values are kept.</summary>
public sealed record LandscapeGrid(double[] Alphas, double[] Betas, double[,] Values, double PointsPerSecond);

/// <summary>Evaluates a loss on a grid over a <see cref="LandscapePlane"/>.</summary>
public static class LossLandscape
{
    /// <summary>Evenly spaced values from <paramref name="low"/> to <paramref name="high"/>.</summary>
    public static double[] Range(double low, double high, int count) =>
        count < 2 ? throw new ArgumentException($"a grid needs at least 2 points a side, got {count}")
        : Enumerable.Range(0, count).Select(i => low + (high - low) * i / (count - 1)).ToArray();

    /// <summary>Moves the network over the grid and evaluates <paramref name="loss"/> at each point; the network is
    /// left at the origin. <paramref name="onRow"/> is told each finished row.</summary>
    public static LandscapeGrid Evaluate(ParameterSpace space, LandscapePlane plane, Func<double> loss, double[] alphas, double[] betas, Action? onRow = null)
    {
        var values = new double[alphas.Length, betas.Length];
        var clock = Stopwatch.StartNew();
        for (int i = 0; i < alphas.Length; i++)
        {
            for (int j = 0; j < betas.Length; j++)
            {
                using var scope = NewDisposeScope();
                space.Write(plane.At(alphas[i], betas[j]));
                values[i, j] = loss();
            }
            onRow?.Invoke();
        }
        double seconds = clock.Elapsed.TotalSeconds;
        using (NewDisposeScope()) space.Write(plane.Origin);
        return new LandscapeGrid(alphas, betas, values, alphas.Length * betas.Length / seconds);
    }
}
