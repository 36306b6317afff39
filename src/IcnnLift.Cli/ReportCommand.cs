using System.CommandLine;
using IcnnLift.Studies.Reproduction;

namespace IcnnLift.Cli;

/// <summary><c>icnn-lift report</c>: one HTML page (self-contained) and one Markdown file over every experiment a results folder holds.</summary>
internal static class ReportCommand
{
    public static Command Create()
    {
        var output = Options.Valued<string>("--out", "The results folder of `icnn-lift reproduce`", Path.Combine("runs", "reproduce"));
        var command = new Command("report", "Merge the runs of a results folder (any shards) into report.html and report.md, each claim with its verdict.");
        var json = Options.Plain<bool>("--json", "Print the verdicts and their findings as JSON on stdout");
        command.Options.Add(output);
        command.Options.Add(json);
        command.SetAction(p =>
        {
            var root = Sweep.CheckResults(p.GetValue(output), mustExist: true);
            Runtime.TorchRuntime.Initialize(1);
            var sections = Report.Write(root, shown: p.GetValue(output)!);
            if (p.GetValue(json))
                return Terminal.Json(new { report = Path.Combine(root, "report.html"), experiments = sections.Select(s => new { experiment = s.Experiment.Name,
                    s.Verdict, s.Scale, s.Findings }) }, ExitCodes.Ok);
            Terminal.Table("verdicts", ["experiment", "verdict", "scale"], sections.Select(s => new[] { s.Experiment.Name, s.Verdict, s.Scale }));
            Terminal.Line($"report: {Path.Combine(root, "report.html")} (and report.md, report-figures/)");
            return ExitCodes.Ok;
        });
        return command;
    }
}
