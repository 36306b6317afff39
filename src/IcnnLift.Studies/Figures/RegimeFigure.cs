using ScottPlot;

namespace IcnnLift.Studies.Figures;

/// <summary>The regime map of one target: per panel a heatmap of an advantage (positive: better), rows = the map's cells,
/// columns = what is compared, the value written in each cell.</summary>
public static class RegimeFigure
{
    /// <param name="advantage">Per panel, its title and [row, column] advantages (NaN where a cell is missing).</param>
    public static void Save(string path, IReadOnlyList<string> rows, IReadOnlyList<string> columns, IReadOnlyList<(string Title,
        double[,] Advantage)> advantage, string columnLabel)
    {
        double limit = advantage.SelectMany(a => a.Advantage.Cast<double>()).Where(double.IsFinite).Select(Math.Abs).DefaultIfEmpty(1).Max();
        var multiplot = new Multiplot();
        multiplot.AddPlots(advantage.Count);
        for (int k = 0; k < advantage.Count; k++)
        {
            var plot = multiplot.GetPlot(k);
            var values = advantage[k].Advantage;
            // Heatmap rows run from the top; the first row of the map is drawn at the top, at y = rows - 1.
            var heatmap = plot.Add.Heatmap(values);
            heatmap.Colormap = new ScottPlot.Colormaps.MellowRainbow();
            heatmap.ManualRange = new ScottPlot.Range(-limit, limit);
            heatmap.NaNCellColor = Colors.LightGray;
            heatmap.Extent = new CoordinateRect(-0.5, columns.Count - 0.5, -0.5, rows.Count - 0.5);
            for (int r = 0; r < rows.Count; r++)
                for (int c = 0; c < columns.Count; c++)
                {
                    var text = plot.Add.Text(double.IsFinite(values[r, c]) ? Signed(values[r, c]) : "-", c, rows.Count - 1 - r);
                    text.LabelAlignment = Alignment.MiddleCenter;
                    text.LabelFontSize = 13;
                }
            plot.Add.ColorBar(heatmap);
            var x = new ScottPlot.TickGenerators.NumericManual();
            for (int c = 0; c < columns.Count; c++) x.AddMajor(c, columns[c]);
            var y = new ScottPlot.TickGenerators.NumericManual();
            for (int r = 0; r < rows.Count; r++) y.AddMajor(rows.Count - 1 - r, rows[r]);
            plot.Axes.Bottom.TickGenerator = x;
            plot.Axes.Left.TickGenerator = y;
            plot.Axes.SetLimits(-0.5, columns.Count - 0.5, -0.5, rows.Count - 0.5);
            plot.XLabel(columnLabel);
            plot.Title(advantage[k].Title);
        }
        multiplot.Layout = new ScottPlot.MultiplotLayouts.Columns();
        var temp = DensityFigure.TempPng(path);
        multiplot.SavePng(temp, 560 * advantage.Count, 60 * rows.Count + 200);
        File.Move(temp, path, overwrite: true);
    }

    /// <summary>Two significant digits with a sign: the map's differences span several orders of magnitude.</summary>
    private static string Signed(double v) => (v > 0 ? "+" : "") + v.ToString("G2", System.Globalization.CultureInfo.InvariantCulture);
}
