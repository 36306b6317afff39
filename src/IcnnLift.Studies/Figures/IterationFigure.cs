using MathNet.Numerics.Statistics;
using ScottPlot;

namespace IcnnLift.Studies.Figures;

/// <summary>A per-iteration diagnostic (shoulder occupancy, cross-covariance) against iteration: the median
/// over seeds and the band between the quartiles, one colour a method. Steps where a seed has no value are left out, and
/// so is step 0 when <c>fromFirstStep</c> is false: an untrained network's validation NLL would flatten the rest.</summary>
public static class IterationFigure
{
    private static readonly Color[] Palette = [Colors.SteelBlue, Colors.Orange, Colors.SeaGreen, Colors.Crimson, Colors.Purple];

    /// <param name="series">Per method, one curve a seed (index = step).</param>
    /// <param name="fromFirstStep">Whether step 0 is drawn.</param>
    public static void Save(string path, IReadOnlyDictionary<string, IReadOnlyList<double[]>> series, string yLabel, string title, bool fromFirstStep = true)
    {
        var plot = new Plot();
        int colour = 0;
        foreach (var (method, curves) in series)
        {
            int steps = curves.Min(c => c.Length);
            int first = fromFirstStep ? 0 : 1;
            var xs = Enumerable.Range(first, Math.Max(steps - first, 0)).Select(i => (double)i).Where(i => curves.All(c => !double.IsNaN(c[(int)i]))).ToArray();
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
        plot.XLabel(fromFirstStep ? "iteration" : "iteration (step 0 left out)");
        plot.YLabel(yLabel);
        plot.ShowLegend(Alignment.UpperRight);
        DensityFigure.SavePng(plot, path, 900, 520);
    }
}
