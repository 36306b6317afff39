using MathNet.Numerics.Statistics;
using ScottPlot;

namespace IcnnLift.Studies.Figures;

/// <summary>Per-seed values of one metric, a column of dots a method and its median as a bar across. The comparisons are
/// paired on seeds, so a thin line joins one seed's values in neighbouring columns, and a seed keeps its horizontal
/// offset in every column.</summary>
public static class StripFigure
{
    private static readonly Color[] Palette = [Colors.SteelBlue, Colors.Orange, Colors.SeaGreen, Colors.Crimson, Colors.Purple, Colors.Gold];

    /// <param name="label">The metric as the axis names it, with its unit.</param>
    public static void Save(string path, IReadOnlyList<(string Method, IReadOnlyDictionary<int, double> BySeed)> columns, string label, string title)
    {
        var plot = new Plot();
        var ticks = new ScottPlot.TickGenerators.NumericManual();
        var seeds = columns.SelectMany(c => c.BySeed.Keys).Distinct().Order().ToList();
        var jitter = new Random(0);
        var offset = seeds.ToDictionary(s => s, _ => (jitter.NextDouble() - 0.5) * 0.3);
        for (int i = 0; i + 1 < columns.Count; i++)
            foreach (var seed in seeds)
                if (columns[i].BySeed.TryGetValue(seed, out var a) && columns[i + 1].BySeed.TryGetValue(seed, out var b)
                    && double.IsFinite(a) && double.IsFinite(b))
                {
                    var pair = plot.Add.Line(i + offset[seed], a, i + 1 + offset[seed], b);
                    pair.Color = Colors.Gray.WithAlpha(0.35);
                    pair.LineWidth = 1;
                }
        for (int i = 0; i < columns.Count; i++)
        {
            ticks.AddMajor(i, columns[i].Method);
            var points = columns[i].BySeed.Where(p => double.IsFinite(p.Value)).ToList();
            if (points.Count == 0) continue;
            var dots = plot.Add.ScatterPoints(points.Select(p => i + offset[p.Key]).ToArray(), points.Select(p => p.Value).ToArray());
            dots.Color = Palette[i % Palette.Length].WithAlpha(0.8);
            dots.MarkerSize = 6;
            double median = Statistics.Median(points.Select(p => p.Value));
            var line = plot.Add.Line(i - 0.3, median, i + 0.3, median);
            line.Color = Colors.Black;
            line.LineWidth = 3;
        }
        plot.Axes.Bottom.TickGenerator = ticks;
        plot.Axes.SetLimitsX(-0.6, columns.Count - 0.4);
        plot.Title($"{title} (dots: seeds, lines join a seed, bar: median)");
        plot.YLabel(label);
        DensityFigure.SavePng(plot, path, 260 + 130 * columns.Count, 480);
    }
}
