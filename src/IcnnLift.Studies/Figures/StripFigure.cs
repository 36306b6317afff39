using MathNet.Numerics.Statistics;
using ScottPlot;

namespace IcnnLift.Studies.Figures;

/// <summary>Per-seed values of one metric, a column of dots a method (jittered, seeded) and its median as a bar across.</summary>
public static class StripFigure
{
    private static readonly Color[] Palette = [Colors.SteelBlue, Colors.Orange, Colors.SeaGreen, Colors.Crimson, Colors.Purple, Colors.Gold];

    public static void Save(string path, IReadOnlyList<(string Method, IReadOnlyList<double> Values)> columns, string metric, string title)
    {
        var plot = new Plot();
        var ticks = new ScottPlot.TickGenerators.NumericManual();
        var jitter = new Random(0);
        for (int i = 0; i < columns.Count; i++)
        {
            var values = columns[i].Values.Where(double.IsFinite).ToArray();
            ticks.AddMajor(i, columns[i].Method);
            if (values.Length == 0) continue;
            var dots = plot.Add.ScatterPoints(values.Select(_ => i + (jitter.NextDouble() - 0.5) * 0.3).ToArray(), values);
            dots.Color = Palette[i % Palette.Length].WithAlpha(0.7);
            dots.MarkerSize = 6;
            double median = Statistics.Median(values);
            var line = plot.Add.Line(i - 0.3, median, i + 0.3, median);
            line.Color = Colors.Black;
            line.LineWidth = 3;
        }
        plot.Axes.Bottom.TickGenerator = ticks;
        plot.Axes.SetLimitsX(-0.6, columns.Count - 0.4);
        plot.Title($"{title} (dots: seeds, bar: median)");
        plot.YLabel(metric.Replace('_', ' '));
        DensityFigure.SavePng(plot, path, 200 + 130 * columns.Count, 480);
    }
}
