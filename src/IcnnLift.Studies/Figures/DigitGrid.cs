using IcnnLift.Data;
using ScottPlot;

namespace IcnnLift.Studies.Figures;

/// <summary>A grid of 28 x 28 images, one row a class, as one grey-scale PNG.</summary>
public static class DigitGrid
{
    public static void Save(string path, IReadOnlyList<IReadOnlyList<float[]>> rows, string title)
    {
        int columns = rows.Max(r => r.Count), side = Digits.Side;
        var pixels = new double[rows.Count * side, columns * side];
        for (int r = 0; r < rows.Count; r++)
            for (int c = 0; c < rows[r].Count; c++)
                for (int y = 0; y < side; y++)
                    for (int x = 0; x < side; x++)
                        pixels[r * side + y, c * side + x] = rows[r][c][y * side + x];
        var plot = new Plot();
        var heatmap = plot.Add.Heatmap(pixels);
        heatmap.Colormap = new ScottPlot.Colormaps.Grayscale();
        plot.Title(title);
        plot.HideGrid();
        plot.Axes.Frameless();
        DensityFigure.SavePng(plot, path, 60 * columns + 40, 60 * rows.Count + 60);
    }
}
