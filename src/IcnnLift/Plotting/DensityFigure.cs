using IcnnLift.Data;
using IcnnLift.Density;
using IcnnLift.Targets;
using ScottPlot;

namespace IcnnLift.Plotting;

/// <summary>One fitted density: its method and seed and log q on the normaliser's grid.</summary>
public sealed record FittedDensity(string Method, int Seed, QuadratureNormalizer Grid, double[] LogDensity);

/// <summary>Fitted densities against the target: lines in 1-D (every seed, one colour a method), heatmaps in 2-D.</summary>
public static class DensityFigure
{
    private static readonly Color[] Palette = [Colors.Orange, Colors.SteelBlue, Colors.SeaGreen, Colors.Crimson, Colors.Purple, Colors.Gold];

    public static void Save(string path, IReadOnlyList<FittedDensity> fits, Target? target, IReadOnlyList<double[]> data, string title)
    {
        if (fits.Count == 0) throw new ArgumentException("nothing to plot");
        if (fits[0].Grid.Dimension == 1) Save1D(path, fits, target, data, title);
        else Save2D(path, fits, target, title);
    }

    private static void Save1D(string path, IReadOnlyList<FittedDensity> fits, Target? target, IReadOnlyList<double[]> data, string title)
    {
        var plot = new Plot();
        var xs = fits[0].Grid.Axes[0];
        var methods = fits.Select(f => f.Method).Distinct().ToList();
        if (target is null)
        {
            var bins = ScottPlot.Statistics.Histogram.WithBinCount(60, xs[0], xs[^1]);
            bins.AddRange(data.Select(r => r[0]));
            var bars = plot.Add.Histogram(bins);
            bars.BarWidthFraction = 1;
        }
        foreach (var (method, i) in methods.Select((m, i) => (m, i)))
        {
            bool first = true;
            foreach (var fit in fits.Where(f => f.Method == method))
            {
                var line = plot.Add.ScatterLine(xs, fit.LogDensity.Select(Math.Exp).ToArray());
                line.Color = Palette[i % Palette.Length].WithAlpha(0.6);
                line.LineWidth = 1.5f;
                if (first) line.LegendText = method;
                first = false;
            }
        }
        if (target is not null)
        {
            var truth = plot.Add.ScatterLine(xs, xs.Select(x => Math.Exp(target.LogDensity([x]))).ToArray());
            truth.Color = Colors.Black;
            truth.LineWidth = 2.5f;
            truth.LinePattern = LinePattern.Dashed;
            truth.LegendText = $"target ({target.Description})";
        }
        plot.Title(title);
        plot.XLabel("x");
        plot.YLabel("density");
        plot.ShowLegend(Alignment.UpperRight);
        SavePng(plot, path, 900, 560);
    }

    private static void Save2D(string path, IReadOnlyList<FittedDensity> fits, Target? target, string title)
    {
        // One panel a method (its first seed) and one for the target, side by side.
        var grid = fits[0].Grid;
        var panels = fits.GroupBy(f => f.Method).Select(g => (Title: $"{g.Key} (seed {g.First().Seed})", Values: g.First().LogDensity)).ToList();
        if (target is not null) panels.Add(("target", grid.Points.Select(target.LogDensity).ToArray()));
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
            plot.Title(panels[p].Title);
        }
        multiplot.Layout = new ScottPlot.MultiplotLayouts.Columns();
        var temp = TempPng(path);
        multiplot.SavePng(temp, 360 * panels.Count, 380);
        File.Move(temp, path, overwrite: true);
    }

    internal static void SavePng(Plot plot, string path, int width, int height)
    {
        var temp = TempPng(path);
        plot.SavePng(temp, width, height);
        File.Move(temp, path, overwrite: true);
    }

    private static string TempPng(string path)
    {
        var full = Path.GetFullPath(path);
        Directory.CreateDirectory(Path.GetDirectoryName(full)!);
        return Path.Combine(Path.GetDirectoryName(full)!, $".{Path.GetFileNameWithoutExtension(full)}.tmp-{Guid.NewGuid():N}.png");
    }
}
