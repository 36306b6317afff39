using MathNet.Numerics.Statistics;
using ScottPlot;

namespace IcnnLift.Studies.Figures;

/// <summary>Distributions of one metric over seeds: a step outline a method on shared bins, its median as a dashed line.
/// A diverged seed would squash the others into one bin, so the bins span the quartiles +- 3 IQR and values beyond
/// them are counted in the edge bins.</summary>
public static class HistogramFigure
{
    private static readonly Color[] Palette = [Colors.SteelBlue, Colors.Orange, Colors.SeaGreen, Colors.Crimson, Colors.Purple, Colors.Gold];

    /// <param name="label">The metric as the axis names it, with its unit.</param>
    /// <param name="tau">A threshold drawn as a solid black line (the basin's).</param>
    public static void Save(string path, IReadOnlyList<(string Method, IReadOnlyList<double> Values)> columns, string label, string title,
        double? tau = null, int bins = 25)
    {
        var pooled = columns.SelectMany(c => c.Values).Where(double.IsFinite).ToArray();
        if (pooled.Length == 0) throw new ArgumentException("nothing to plot");
        double q1 = pooled.LowerQuartile(), q3 = pooled.UpperQuartile(), spread = Math.Max(q3 - q1, 1e-12);
        double low = Math.Max(pooled.Min(), q1 - 3 * spread), high = Math.Min(pooled.Max(), q3 + 3 * spread);
        if (high <= low) high = low + 1e-12;
        double width = (high - low) / bins;
        var plot = new Plot();
        for (int i = 0; i < columns.Count; i++)
        {
            var values = columns[i].Values.Where(double.IsFinite).ToArray();
            if (values.Length == 0) continue;
            var counts = new int[bins];
            foreach (var v in values) counts[Math.Clamp((int)((v - low) / width), 0, bins - 1)]++;
            // The outline as stairs: up at each bin's left edge, across, down at the last edge.
            var xs = new List<double> { low };
            var ys = new List<double> { 0 };
            for (int b = 0; b < bins; b++)
            {
                xs.AddRange([low + b * width, low + (b + 1) * width]);
                ys.AddRange([counts[b], counts[b]]);
            }
            xs.Add(high);
            ys.Add(0);
            var color = Palette[i % Palette.Length];
            var outline = plot.Add.ScatterLine(xs.ToArray(), ys.ToArray());
            outline.Color = color;
            outline.LineWidth = 2;
            outline.LegendText = $"{columns[i].Method} ({values.Length})";
            var median = plot.Add.VerticalLine(Statistics.Median(values));
            median.Color = color;
            median.LinePattern = LinePattern.Dashed;
        }
        if (tau is double threshold)
        {
            var line = plot.Add.VerticalLine(threshold);
            line.Color = Colors.Black;
            line.LegendText = FormattableString.Invariant($"tau = {threshold:F3}");
        }
        plot.Title($"{title} (dashed: medians)");
        plot.XLabel(label);
        plot.YLabel("seeds");
        plot.Axes.Left.TickGenerator = new ScottPlot.TickGenerators.NumericAutomatic { IntegerTicksOnly = true }; // seeds are counts
        plot.ShowLegend(Alignment.UpperRight);
        DensityFigure.SavePng(plot, path, 900, 520);
    }
}
