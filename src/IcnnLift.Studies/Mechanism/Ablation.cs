using System.Globalization;
using IcnnLift.Data;
using IcnnLift.Positivity;
using IcnnLift.Studies.Figures;
using IcnnLift.Training;

namespace IcnnLift.Studies.Mechanism;

/// <summary>
/// The five-architecture ablation of the lift's ingredients (direct softplus, softplus + bias, lift without bias, lift
/// conditioned on one fixed batch,
/// full lift): a comparison whose extra output is the time-averaged slack-channel cross-covariance of each.
/// </summary>
public static class Ablation
{
    public static readonly PositivityMethod[] Architectures = [PositivityMethod.Softplus, PositivityMethod.SoftplusBias, PositivityMethod.LiftNoBias,
        PositivityMethod.LiftFixed, PositivityMethod.Lift];

    /// <summary>Each architecture's per-seed time-averaged ||Sigma||_F (NaN where a run has none).</summary>
    public static List<(string Architecture, IReadOnlyList<double> Readings)> Readings(IReadOnlyList<RunResult> results) =>
        Architectures.Select(Choice.Name).Select(a => (a,
            (IReadOnlyList<double>)results.Where(r => r.Method == a).Select(r => r.MeanCrossCovariance ?? double.NaN).ToList())).ToList();

    /// <summary>Writes ablation.csv and ablation.png (bars on a log axis, structural zeros at the floor) into <paramref name="folder"/>.</summary>
    public static void Write(string folder, IReadOnlyList<RunResult> results, string title)
    {
        using (var w = new StreamWriter(Path.Combine(folder, "ablation.csv")))
        {
            w.WriteLine("architecture,seed,mean_cross_covariance");
            foreach (var r in results)
                w.WriteLine(string.Join(",", r.Method, r.Seed.ToString(CultureInfo.InvariantCulture), (r.MeanCrossCovariance ?? double.NaN).ToString("R",
                    CultureInfo.InvariantCulture)));
        }
        AblationFigure.Save(Path.Combine(folder, "ablation.png"), Readings(results), title);
    }
}
