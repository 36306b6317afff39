using System.CommandLine;
using System.Globalization;
using IcnnLift.Density;

namespace IcnnLift.Cli;

/// <summary><c>icnn-lift density</c>: log-density of a saved model at the points of a CSV file.</summary>
internal static class DensityCommand
{
    public static Command Create()
    {
        var model = Options.Required("--model", "Run folder written by train or compare");
        var points = Options.Required("--points", "CSV file of points, one a row");
        var output = Options.Plain<string?>("--out", "CSV file to write (default: stdout); an existing file is refused");
        var overwrite = Options.Plain<bool>("--overwrite", "Replace the --out file if it exists");
        var command = new Command("density", "Evaluate a saved model's log-density at the points of a CSV file.");
        foreach (var o in new Option[] { model, points, output, overwrite }) command.Options.Add(o);
        command.SetAction(p =>
        {
            if (p.GetValue(output) is { } target) OutputFolder.CheckFile(target, p.GetValue(overwrite));
            Runtime.TorchRuntime.Initialize(1);
            var pointsPath = p.GetValue(points)!;
            var rows = SampleCsv.Read(pointsPath);
            var (density, manifest, _) = RunFolder.Load(p.GetValue(model)!);
            if (rows[0].Length != density.Dimension)
                throw new InputException($"{pointsPath}: points have {rows[0].Length} columns but the model takes {density.Dimension}-D inputs");
            var logp = density.LogDensityValues(Rows.ToTensor(rows, manifest.Config.DType));
            var header = Enumerable.Range(1, rows[0].Length).Select(j => $"x{j}").Append("log_density").ToArray();
            var table = rows.Select((r, i) => r.Append(logp[i]).ToArray());
            if (p.GetValue(output) is string path)
                SampleCsv.Write(path, header, table);
            else
            {
                Console.Out.WriteLine(string.Join(",", header));
                foreach (var r in table) Console.Out.WriteLine(string.Join(",", r.Select(v => v.ToString("R", CultureInfo.InvariantCulture))));
            }
            return ExitCodes.Ok;
        });
        return command;
    }
}
