using System.Globalization;
using System.Text.Json;
using IcnnLift.Data;
using IcnnLift.Studies.Figures;
using IcnnLift.Training;

namespace IcnnLift.Studies.Mechanism;

/// <summary>The landscape study: both runs trained, both planes evaluated, the files and the figure written.</summary>
public static class LandscapeStudy
{
    /// <summary>Trains both runs, evaluates both planes and writes landscape.csv, trajectories.csv, landscape.json and
    /// landscape.png into <paramref name="output"/>, then commits it; under a progress bar drawn from this thread.</summary>
    public static LandscapePanel[] Produce(IStudyHost host, OutputFolder output, DataSource source, Dataset data, TrainConfig config, LandscapeOptions options)
    {
        LandscapePanel[] both = [];
        host.WithProgress($"{source.Name}: landscape of lift vs {Choice.Name(options.Other)}", LandscapeExperiment.Work(config, options), advance =>
        {
            var (constrained, lifted) = LandscapeExperiment.Run(config, data, source.Target, options, advance);
            both = [constrained, lifted];
        });
        var folder = output.Staging;
        using (var w = new StreamWriter(Path.Combine(folder, "landscape.csv")))
        {
            w.WriteLine("space,alpha,beta,loss,finite,on_cone");
            foreach (var panel in both)
                for (int i = 0; i < panel.Grid.Alphas.Length; i++)
                    for (int j = 0; j < panel.Grid.Betas.Length; j++)
                    {
                        double v = panel.Grid.Values[i, j];
                        w.WriteLine(string.Join(",", panel.Space, R(panel.Grid.Alphas[i]), R(panel.Grid.Betas[j]), R(v), double.IsFinite(v) ? "1" : "0",
                            panel.Feasible is { } f ? (f[i, j] ? "1" : "0") : ""));
                    }
        }
        using (var w = new StreamWriter(Path.Combine(folder, "trajectories.csv")))
        {
            w.WriteLine("space,method,step,alpha,beta,loss");
            foreach (var panel in both)
                foreach (var t in panel.Trajectories)
                    for (int k = 0; k < t.Steps.Length; k++)
                        w.WriteLine(string.Join(",", panel.Space, t.Method, t.Steps[k].ToString(CultureInfo.InvariantCulture), R(t.Alphas[k]), R(t.Betas[k]),
                            R(t.Losses[k])));
        }
        File.WriteAllText(Path.Combine(folder, "landscape.json"), JsonSerializer.Serialize(new
        {
            data = source, config, options,
            panels = both.Select(Summary),
        }, RunFolder.Json));
        LandscapeFigure.Save(Path.Combine(folder, "landscape.png"), both, source.Name);
        output.Commit();
        return both;
    }

    public sealed record PanelSummary(string Space, double LiftLoss, double OtherLoss, double GridMinimum, double MinimumAlpha, double MinimumBeta,
        int NotFinite, double? OffConeFraction, double DirectionLength, double PointsPerSecond);

    public static PanelSummary Summary(LandscapePanel panel)
    {
        var g = panel.Grid;
        var cells = Enumerable.Range(0, g.Alphas.Length).SelectMany(i => Enumerable.Range(0, g.Betas.Length).Select(j => (i, j, v: g.Values[i, j]))).ToList();
        var best = cells.Where(c => double.IsFinite(c.v)).DefaultIfEmpty((i: 0, j: 0, v: double.NaN)).MinBy(c => c.v);
        return new PanelSummary(panel.Space, panel.Trajectories[0].Losses[^1], panel.Trajectories[^1].Losses[^1], best.v, g.Alphas[best.i], g.Betas[best.j],
            cells.Count(c => !double.IsFinite(c.v)), panel.Feasible is { } f ? cells.Count(c => !f[c.i, c.j]) / (double)cells.Count : null,
            panel.DirectionLength, g.PointsPerSecond);
    }

    private static string R(double v) => v.ToString("R", CultureInfo.InvariantCulture);
}
