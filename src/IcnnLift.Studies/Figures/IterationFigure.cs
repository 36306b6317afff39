using MathNet.Numerics.Statistics;
using ScottPlot;

namespace IcnnLift.Studies.Figures;

/// <summary>A per-iteration diagnostic (shoulder occupancy, cross-covariance) against iteration: the median
/// over seeds and the band between the quartiles, one colour a method. Steps where a seed has no value are left out.</summary>
public static class IterationFigure
{
    private static readonly Color[] Palette = [Colors.SteelBlue, Colors.Orange, Colors.SeaGreen, Colors.Crimson, Colors.Purple];

    /// <param name="series">Per method, one curve a seed (index = step).</param>
    public static void Save(string path, IReadOnlyDictionary<string, IReadOnlyList<double[]>> series, string yLabel, string title)
    {
        var plot = new Plot();
        int colour = 0;
        foreach (var (method, curves) in series)
        {
            int steps = curves.Min(c => c.Length);
            var xs = Enumerable.Range(0, steps).Select(i => (double)i).Where(i => curves.All(c => !double.IsNaN(c[(int)i]))).ToArray();
            if (xs.Length == 0) continue;
            double Q(int i, double q) => Statistics.QuantileCustom(curves.Select(c => c[i]), q, QuantileDefinition.R7);
            var color = Palette[colour++ % Palette.Length];
            var band = plot.Add.FillY(xs, xs.Select(x => Q((int)x, 0.25)).ToArray(), xs.Select(x => Q((int)x, 0.75)).ToArray());
            band.FillStyle.Color = color.WithAlpha(0.25);
            band.LineStyle.Width = 0;
            var median = plot.Add.ScatterLine(xs, xs.Select(x => Q((int)x, 0.5)).ToArray());
            median.Color = color;
            median.LineWidth = 2;
            median.LegendText = $"{method} (median, quartile band, {curves.Count} seeds)";
        }
        plot.Title(title);
        plot.XLabel("iteration");
        plot.YLabel(yLabel);
        plot.ShowLegend(Alignment.UpperRight);
        DensityFigure.SavePng(plot, path, 900, 520);
    }
}
