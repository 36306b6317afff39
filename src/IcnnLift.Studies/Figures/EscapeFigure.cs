using ScottPlot;

namespace IcnnLift.Studies.Figures;

/// <summary>Escape fraction of the bias-channel SDE against its noise level, a line a budget.</summary>
public static class EscapeFigure
{
    private static readonly Color[] Palette = [Colors.LightSalmon, Colors.Orange, Colors.Crimson, Colors.DarkRed];

    /// <param name="fractions">Per budget (iterations), the escape fraction at each of <paramref name="noise"/>.</param>
    public static void Save(string path, IReadOnlyList<double> noise, IReadOnlyList<(int Budget, double[] Fractions)> fractions, string title)
    {
        var plot = new Plot();
        for (int i = 0; i < fractions.Count; i++)
        {
            var line = plot.Add.Scatter(noise.ToArray(), fractions[i].Fractions);
            line.Color = Palette[i % Palette.Length];
            line.LineWidth = 2;
            line.MarkerSize = 7;
            line.LegendText = $"budget {fractions[i].Budget:N0} iterations";
        }
        plot.Axes.SetLimitsY(-0.03, 1.03);
        plot.Title(title);
        plot.XLabel("body (Jacobian-side) noise s_jac; 0 = direct softplus");
        plot.YLabel("fraction of paths that left the shoulder");
        plot.ShowLegend(Alignment.LowerRight);
        DensityFigure.SavePng(plot, path, 850, 520);
    }
}
