using System.Text.Json;
using IcnnLift.Data;
using IcnnLift.Diagnostics;
using IcnnLift.Studies.Figures;
using IcnnLift.Training;

namespace IcnnLift.Studies.Mechanism;

/// <summary>The escape-SDE study: first passages at every noise level, escape fractions with Wilson intervals, the files and the figure.</summary>
public static class EscapeStudy
{
    /// <summary>Body noise levels s_jac of <c>icnn-lift sde</c> and of the reproduction's mechanism (0 is direct softplus).</summary>
    public static readonly double[] DefaultNoise = [0, 0.005, 0.01, 0.02, 0.05, 0.1, 0.2];

    /// <summary>The escape fraction at one noise level and budget, with its 95% Wilson interval.</summary>
    public sealed record EscapeRow(double Noise, int Budget, double Fraction, double Low, double High);

    /// <summary>Simulates every noise level and writes sde.json, sde.csv and sde.png into <paramref name="output"/>, then commits it.</summary>
    public static (List<int[]> Passages, List<EscapeRow> Rows) Produce(IStudyHost host, OutputFolder output, EscapeSdeOptions options,
        IReadOnlyList<double> levels, IReadOnlyList<int> budgetList, int seed)
    {
        var passages = new List<int[]>();
        foreach (var level in levels)
        {
            host.Cancellation.ThrowIfCancellationRequested();
            passages.Add(EscapeSde.FirstPassage(options, level, seed));
            double escaped = EscapeSde.EscapeFraction(passages[^1], budgetList[^1]);
            host.Say(FormattableString.Invariant($"noise {level}: {escaped:P1} escaped in {budgetList[^1]} iterations"));
        }
        var rows = levels.SelectMany((level, i) => budgetList.Select(b =>
        {
            double f = EscapeSde.EscapeFraction(passages[i], b);
            var (low, high) = EscapeSde.Wilson(f, options.Paths);
            return new EscapeRow(level, b, f, low, high);
        })).ToList();
        var folder = output.Staging;
        File.WriteAllText(Path.Combine(folder, "sde.json"), JsonSerializer.Serialize(new
        {
            options, noise = levels, budgets = budgetList, seed, noise_free_escape_steps = options.NoiseFreeEscapeSteps,
            rows,
        }, RunFolder.Json));
        using (var w = new StreamWriter(Path.Combine(folder, "sde.csv")))
        {
            w.WriteLine("noise,budget,paths,escape_fraction,ci95_low,ci95_high");
            foreach (var r in rows)
                w.WriteLine(FormattableString.Invariant($"{r.Noise},{r.Budget},{options.Paths},{r.Fraction},{r.Low},{r.High}"));
        }
        EscapeFigure.Save(Path.Combine(folder, "sde.png"), levels, budgetList.Select(b => (b,
            rows.Where(r => r.Budget == b).Select(r => r.Fraction).ToArray())).ToList(),
            FormattableString.Invariant($"escape from the shoulder, start t = {options.Start}, {options.Paths} paths a level"));
        output.Commit();
        return (passages, rows);
    }
}
