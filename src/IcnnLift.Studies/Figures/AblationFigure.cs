using MathNet.Numerics.Statistics;
using ScottPlot;

namespace IcnnLift.Studies.Figures;

/// <summary>
/// The five-architecture ablation: per architecture the time-averaged Frobenius norm of the slack-channel
/// cross-covariance, a bar at the median over seeds and a dot a seed, on a log axis. Exact zeros (the
/// deletions' structural zeros) cannot sit on a log axis: they are drawn at the floor, a decade below the
/// smallest positive reading, and labelled.
/// </summary>
public static class AblationFigure
{
    /// <param name="readings">Per architecture, one time-averaged ||Sigma||_F a seed.</param>
    public static void Save(string path, IReadOnlyList<(string Architecture, IReadOnlyList<double> Values)> readings, string title)
    {
        var positive = readings.SelectMany(r => r.Values).Where(v => v > 0).ToList();
        double top = positive.Count > 0 ? Math.Ceiling(Math.Log10(positive.Max())) : 0;
        double floor = positive.Count > 0 ? Math.Floor(Math.Log10(positive.Min())) - 1 : top - 3;
        double Y(double v) => v > 0 ? Math.Log10(v) : floor;

        var plot = new Plot();
        var ticks = new ScottPlot.TickGenerators.NumericManual();
        for (int i = 0; i < readings.Count; i++)
        {
            var (name, values) = readings[i];
            double median = Statistics.Median(values);
            var bar = plot.Add.Bar(new Bar
            {
                Position = i,
                Value = Y(median),
                ValueBase = floor,
                FillColor = median > 0 ? Colors.Orange : Colors.LightGray,
                Label = median > 0 ? median.ToString("0.###e0", System.Globalization.CultureInfo.InvariantCulture) : "0 (structural)",
            });
            bar.ValueLabelStyle.FontSize = 12;
            if (median == 0)
            {
                var zero = plot.Add.Text("structural 0", i, floor + 0.08);
                zero.LabelAlignment = Alignment.LowerCenter;
                zero.LabelFontSize = 14;
                zero.LabelBold = true;
            }
            var dots = plot.Add.ScatterPoints(values.Select(_ => (double)i).ToArray(), values.Select(Y).ToArray());
            dots.Color = Colors.Black;
            dots.MarkerSize = 6;
            ticks.AddMajor(i, name);
        }
        plot.Axes.Bottom.TickGenerator = ticks;
        var yTicks = new ScottPlot.TickGenerators.NumericManual();
        for (double e = floor; e <= top; e++)
            yTicks.AddMajor(e, e == floor ? "0 / floor" : $"1e{e:0}");
        plot.Axes.Left.TickGenerator = yTicks;
        plot.Axes.SetLimits(-0.6, readings.Count - 0.4, floor, top + 0.5);
        plot.Title($"{title} (bar: median, dots: seeds)");
        plot.YLabel("time-averaged ||Sigma||_F, log scale");
        DensityFigure.SavePng(plot, path, 800, 520);
    }
}
