using IcnnLift.Data;
using IcnnLift.Density;
using IcnnLift.Targets;
using IcnnLift.Training;
using ScottPlot;

namespace IcnnLift.Studies.Figures;

/// <summary>One fitted density: its method and seed and log q on the normaliser's grid.</summary>
public sealed record FittedDensity(string Method, int Seed, QuadratureNormalizer Grid, double[] LogDensity);

/// <summary>Fitted densities against the target: lines in 1-D (every seed, one colour a method), heatmaps in 2-D;
/// and samples against data.</summary>
public static class DensityFigure
{
    private static readonly Color[] Palette = [Colors.Orange, Colors.SteelBlue, Colors.SeaGreen, Colors.Crimson, Colors.Purple, Colors.Gold];

    public static void Save(string path, IReadOnlyList<FittedDensity> fits, Target? target, IReadOnlyList<double[]> data, string title)
    {
        if (fits.Count == 0) throw new ArgumentException("nothing to plot");
        if (fits[0].Grid.Dimension == 1) Save1D(path, fits, target, data, title);
        else Save2D(path, fits, target, data);
    }

    /// <summary>Two panels: the density over where the mass is (the central 99.9% of the target, or of the data), and
    /// the log-density over the whole grid, where the tails differ.</summary>
    private static void Save1D(string path, IReadOnlyList<FittedDensity> fits, Target? target, IReadOnlyList<double[]> data, string title)
    {
        var xs = fits[0].Grid.Axes[0];
        var methods = fits.Select(f => f.Method).Distinct().ToList();
        var truth = target is { HasDensity: true } ? xs.Select(x => target.LogDensity([x])).ToArray() : null;
        var (low, high) = MassRange(xs, truth, data);
        var multiplot = new Multiplot();
        multiplot.AddPlots(2);
        var (linear, logarithmic) = (multiplot.GetPlot(0), multiplot.GetPlot(1));
        if (truth is null)
        {
            var bins = ScottPlot.Statistics.Histogram.WithBinCount(60, low, high);
            bins.AddRange(data.Select(r => r[0]).Where(x => x >= low && x <= high));
            var bars = linear.Add.Histogram(bins);
            bars.BarWidthFraction = 1;
        }
        foreach (var (plot, transform) in new (Plot, Func<double, double>)[] { (linear, Math.Exp), (logarithmic, v => v) })
        {
            foreach (var (method, i) in methods.Select((m, i) => (m, i)))
                foreach (var (fit, k) in fits.Where(f => f.Method == method).Select((f, k) => (f, k)))
                {
                    var line = plot.Add.ScatterLine(xs, fit.LogDensity.Select(transform).ToArray());
                    line.Color = Palette[i % Palette.Length].WithAlpha(0.6);
                    line.LineWidth = 1.5f;
                    if (k == 0) line.LegendText = method;
                }
            if (truth is not null)
            {
                var line = plot.Add.ScatterLine(xs, truth.Select(transform).ToArray());
                line.Color = Colors.Black;
                line.LineWidth = 2.5f;
                line.LinePattern = LinePattern.Dashed;
                line.LegendText = $"target ({target!.Description})";
            }
            plot.XLabel("x");
        }
        linear.Title($"{title}: where the mass is");
        linear.YLabel("density");
        linear.Axes.SetLimitsX(low, high);
        linear.ShowLegend(Alignment.UpperRight);
        // The tails on a log scale, from the highest log-density down to 12 nats below it.
        double top = fits.SelectMany(f => f.LogDensity).Concat(truth ?? []).Where(double.IsFinite).DefaultIfEmpty(0).Max();
        logarithmic.Title("log-density over the whole grid (the tails)");
        logarithmic.YLabel("log density");
        logarithmic.Axes.SetLimits(xs[0], xs[^1], top - 12, top + 1);
        multiplot.Layout = new ScottPlot.MultiplotLayouts.Rows();
        var temp = TempPng(path);
        multiplot.SavePng(temp, 900, 900);
        File.Move(temp, path, overwrite: true);
    }

    /// <summary>Where the mass is: the central 99.9% of the target's density on the grid, or of the data without one,
    /// widened by a tenth on each side.</summary>
    private static (double Low, double High) MassRange(double[] xs, double[]? logDensity, IReadOnlyList<double[]> data)
    {
        double low, high;
        if (logDensity is not null)
        {
            var mass = logDensity.Select(v => double.IsFinite(v) ? Math.Exp(v) : 0).ToArray();
            double total = mass.Sum(), running = 0;
            var cumulative = mass.Select(m => running += m / total).ToArray();
            low = xs[Math.Max(Array.FindIndex(cumulative, c => c >= 0.0005), 0)];
            high = xs[Math.Max(Array.FindIndex(cumulative, c => c >= 0.9995), 0)];
        }
        else
        {
            var values = data.Select(r => r[0]).ToArray();
            (low, high) = (MathNet.Numerics.Statistics.Statistics.Quantile(values, 0.0005), MathNet.Numerics.Statistics.Statistics.Quantile(values, 0.9995));
        }
        double margin = 0.1 * Math.Max(high - low, 1e-9);
        return (Math.Max(low - margin, xs[0]), Math.Min(high + margin, xs[^1]));
    }

    /// <summary>One panel a method (its first seed) and one for the target (its density, or a histogram of the data), each
    /// with a colour bar, over where the data are.</summary>
    private static void Save2D(string path, IReadOnlyList<FittedDensity> fits, Target? target, IReadOnlyList<double[]> data)
    {
        var grid = fits[0].Grid;
        var panels = fits.GroupBy(f => f.Method).Select(g => (Title: $"{g.Key} (seed {g.First().Seed})", Values: g.First().LogDensity)).ToList();
        panels.Add(target is { HasDensity: true }
            ? ("target", grid.Points.Select(target.LogDensity).ToArray())
            : ("training data", Histogram(grid, data)));
        double Quantile(int j, double q) => MathNet.Numerics.Statistics.Statistics.Quantile(data.Select(r => r[j]), q);
        var (x0, x1, y0, y1) = (Quantile(0, 0.001), Quantile(0, 0.999), Quantile(1, 0.001), Quantile(1, 0.999));
        double mx = 0.15 * (x1 - x0), my = 0.15 * (y1 - y0);
        var multiplot = new Multiplot();
        multiplot.AddPlots(panels.Count);
        for (int p = 0; p < panels.Count; p++)
        {
            var plot = multiplot.GetPlot(p);
            int n = grid.PointsPerDimension;
            var values = new double[n, n];
            for (int iy = 0; iy < n; iy++)
                for (int ix = 0; ix < n; ix++)
                    values[n - 1 - iy, ix] = Math.Exp(panels[p].Values[iy * n + ix]);
            var heatmap = plot.Add.Heatmap(values);
            heatmap.Extent = new CoordinateRect(grid.Lower[0], grid.Upper[0], grid.Lower[1], grid.Upper[1]);
            heatmap.Colormap = new ScottPlot.Colormaps.Viridis();
            plot.Add.ColorBar(heatmap).Label = "density";
            plot.Axes.SetLimits(Math.Max(x0 - mx, grid.Lower[0]), Math.Min(x1 + mx, grid.Upper[0]), Math.Max(y0 - my, grid.Lower[1]),
                Math.Min(y1 + my, grid.Upper[1]));
            plot.Title(panels[p].Title);
            plot.XLabel("x1");
            plot.YLabel("x2");
        }
        multiplot.Layout = new ScottPlot.MultiplotLayouts.Columns();
        var temp = TempPng(path);
        multiplot.SavePng(temp, 440 * panels.Count, 400);
        File.Move(temp, path, overwrite: true);
    }

    /// <summary>Scatter of a saved model's samples beside fresh draws of its known target (drawn with <paramref name="seed"/>).</summary>
    public static void SaveSamples(string path, SavedRun run, IReadOnlyList<double[]> samples, int seed)
    {
        var (data, config) = (run.Manifest.Data, run.Manifest.Config);
        var draws = Target.Names.Contains(data) ? Target.Get(data).Sample(samples.Count, new Random(seed)) : null;
        SaveSamples(path, samples, draws, $"{data}: {config.MethodName} {Choice.Name(config.Task)} samples");
    }

    /// <summary>Scatter of a model's samples beside the data (2-D).</summary>
    public static void SaveSamples(string path, IReadOnlyList<double[]> samples, IReadOnlyList<double[]>? data, string title)
    {
        var plot = new Plot();
        if (data is not null)
        {
            var d = plot.Add.ScatterPoints(data.Select(r => r[0]).ToArray(), data.Select(r => r[1]).ToArray());
            d.Color = Colors.Gray.WithAlpha(0.4);
            d.MarkerSize = 3;
            d.LegendText = "data";
        }
        var s = plot.Add.ScatterPoints(samples.Select(r => r[0]).ToArray(), samples.Select(r => r[1]).ToArray());
        s.Color = Colors.Orange.WithAlpha(0.6);
        s.MarkerSize = 3;
        s.LegendText = "model samples";
        // The view covers the data (or the samples' central 99%) with a margin; samples outside are counted.
        var reference = data ?? samples;
        double Quantile(int j, double q) => MathNet.Numerics.Statistics.Statistics.Quantile(reference.Select(r => r[j]), q);
        var (x0, x1, y0, y1) = (Quantile(0, 0.005), Quantile(0, 0.995), Quantile(1, 0.005), Quantile(1, 0.995));
        double mx = 0.25 * (x1 - x0), my = 0.25 * (y1 - y0);
        plot.Axes.SetLimits(x0 - mx, x1 + mx, y0 - my, y1 + my);
        int outside = samples.Count(r => r[0] < x0 - mx || r[0] > x1 + mx || r[1] < y0 - my || r[1] > y1 + my);
        plot.Title(outside > 0 ? $"{title} ({outside} of {samples.Count} samples outside the view)" : title);
        plot.XLabel("x1");
        plot.YLabel("x2");
        plot.ShowLegend(Alignment.UpperRight);
        SavePng(plot, path, 700, 700);
    }

    /// <summary>log of the data's histogram density on the grid's cells.</summary>
    private static double[] Histogram(QuadratureNormalizer grid, IReadOnlyList<double[]> data)
    {
        int n = grid.PointsPerDimension;
        var counts = new double[n * n];
        foreach (var row in data)
        {
            int ix = (int)Math.Floor((row[0] - grid.Lower[0]) / (grid.Upper[0] - grid.Lower[0]) * n);
            int iy = (int)Math.Floor((row[1] - grid.Lower[1]) / (grid.Upper[1] - grid.Lower[1]) * n);
            if (ix >= 0 && ix < n && iy >= 0 && iy < n) counts[iy * n + ix]++;
        }
        return counts.Select(c => Math.Log(c / (data.Count * grid.CellVolume))).ToArray();
    }

    internal static void SavePng(Plot plot, string path, int width, int height)
    {
        var temp = TempPng(path);
        plot.SavePng(temp, width, height);
        File.Move(temp, path, overwrite: true);
    }

    internal static string TempPng(string path)
    {
        var full = Path.GetFullPath(path);
        Directory.CreateDirectory(Path.GetDirectoryName(full)!);
        return Path.Combine(Path.GetDirectoryName(full)!, $".{Path.GetFileNameWithoutExtension(full)}.tmp-{Guid.NewGuid():N}.png");
    }
}
