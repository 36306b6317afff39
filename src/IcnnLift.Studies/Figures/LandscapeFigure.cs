using IcnnLift.Studies.Mechanism;
using MathNet.Numerics.Statistics;
using ScottPlot;

namespace IcnnLift.Studies.Figures;

/// <summary>
/// The landscape pair side by side: per space a heatmap of the loss with contour lines, the trajectories
/// projected onto the plane (the lift solid, the other method dashed), the origin (the lift's solution, a
/// star) and alpha = 1 (the other's solution, a diamond). Not-finite losses are magenta cells; in the
/// constrained space, grid points off the non-negative cone carry a small grey dot.
/// </summary>
public static class LandscapeFigure
{
    private static readonly Color[] TrajectoryColors = [Colors.Red, Colors.Cyan];

    public static void Save(string path, IReadOnlyList<LandscapePanel> panels, string title)
    {
        var multiplot = new Multiplot();
        multiplot.AddPlots(panels.Count);
        for (int k = 0; k < panels.Count; k++)
        {
            var panel = panels[k];
            var plot = multiplot.GetPlot(k);
            var (alphas, betas, values) = (panel.Grid.Alphas, panel.Grid.Betas, panel.Grid.Values);
            int na = alphas.Length, nb = betas.Length;
            var finite = Enumerable.Range(0, na).SelectMany(i => Enumerable.Range(0, nb).Select(j => values[i, j])).Where(double.IsFinite).ToList();
            // Colours span the lowest loss to the 90th percentile, so the basin is not washed out by the far corners.
            double low = finite.Count > 0 ? finite.Min() : 0, high = finite.Count > 0 ? Statistics.Quantile(finite, 0.9) : 1;
            var cells = new double[nb, na]; // rows are beta from top to bottom, columns alpha
            for (int i = 0; i < na; i++)
                for (int j = 0; j < nb; j++)
                    cells[nb - 1 - j, i] = double.IsFinite(values[i, j]) ? Math.Min(values[i, j], high) : double.NaN;
            var heatmap = plot.Add.Heatmap(cells);
            heatmap.Extent = new CoordinateRect(alphas[0], alphas[^1], betas[0], betas[^1]);
            heatmap.Colormap = new ScottPlot.Colormaps.Viridis();
            heatmap.NaNCellColor = Colors.Magenta;
            heatmap.ManualRange = new ScottPlot.Range(low, Math.Max(high, low + 1e-9));
            plot.Add.ColorBar(heatmap);

            var contour = new Coordinates3d[nb, na];
            for (int i = 0; i < na; i++)
                for (int j = 0; j < nb; j++)
                    contour[j, i] = new Coordinates3d(alphas[i], betas[j], Math.Min(double.IsFinite(values[i, j]) ? values[i, j] : high, high));
            var lines = plot.Add.ContourLines(contour);
            lines.LineColor = Colors.White.WithAlpha(0.5);
            lines.LabelStyle.IsVisible = false;

            if (panel.Feasible is { } feasible)
            {
                var off = Enumerable.Range(0, na).SelectMany(i => Enumerable.Range(0, nb).Where(j => !feasible[i, j]).Select(j => (alphas[i],
                    betas[j]))).ToList();
                if (off.Count > 0)
                {
                    var dots = plot.Add.ScatterPoints(off.Select(o => o.Item1).ToArray(), off.Select(o => o.Item2).ToArray());
                    dots.Color = Colors.Gray.WithAlpha(0.6);
                    dots.MarkerSize = 2;
                    dots.LegendText = "some W < 0 (off the cone)";
                }
            }
            for (int t = 0; t < panel.Trajectories.Count; t++)
            {
                var trajectory = panel.Trajectories[t];
                var line = plot.Add.Scatter(trajectory.Alphas, trajectory.Betas);
                line.Color = TrajectoryColors[t % TrajectoryColors.Length];
                line.LineWidth = 2;
                line.MarkerSize = 3;
                line.LinePattern = t == 0 ? LinePattern.Solid : LinePattern.Dashed;
                line.LegendText = $"{trajectory.Method} trajectory";
            }
            var origin = plot.Add.Marker(0, 0, MarkerShape.FilledDiamond, 14, Colors.Gold);
            origin.LegendText = "lift solution (origin)";
            var other = plot.Add.Marker(1, 0, MarkerShape.FilledSquare, 10, Colors.Cyan);
            other.LegendText = $"{panel.Trajectories[^1].Method} solution";
            plot.Title($"{title}: {panel.Space} space");
            plot.XLabel($"alpha (toward {panel.Trajectories[^1].Method}; 1 unit = {panel.DirectionLength:G3})");
            plot.YLabel("beta (random, per-layer scaled)");
            plot.ShowLegend(Alignment.UpperLeft);
        }
        multiplot.Layout = new ScottPlot.MultiplotLayouts.Columns();
        var temp = DensityFigure.TempPng(path);
        multiplot.SavePng(temp, 760 * panels.Count, 640);
        File.Move(temp, path, overwrite: true);
    }
}
