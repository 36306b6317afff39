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
        command.Options.Add(output);
        command.SetAction(p =>
        {
            var root = Sweep.CheckResults(p.GetValue(output), mustExist: true);
            Runtime.TorchRuntime.Initialize(1);
            // Figures are drawn into a fresh folder that replaces the old one; the pages are written atomically.
            var figuresPath = Path.Combine(root, Report.FiguresFolder);
            // A figures folder of an earlier version, in our results folder.
            if (Directory.Exists(figuresPath) && !OutputFolder.IsOurs(figuresPath)) OutputFolder.Mark(figuresPath);
            using var figures = OutputFolder.Claim(figuresPath, overwrite: true, option: "figures folder");
            var sections = Report.Build(root, figures.Staging);
            var shown = p.GetValue(output)!; // the folder as the user named it, for the pages' text
            AtomicFile.Write(Path.Combine(root, "report.md"), w => w.Write(Report.Markdown(sections, shown)));
            AtomicFile.Write(Path.Combine(root, "report.html"), w => w.Write(Report.Html(sections, shown, figures.Staging)));
            figures.Commit();
            Terminal.Table("verdicts", ["experiment", "verdict", "scale"], sections.Select(s => new[] { s.Experiment.Name, s.Verdict, s.Scale }));
            Terminal.Line($"report: {Path.Combine(root, "report.html")} (and report.md, report-figures/)");
            return ExitCodes.Ok;
        });
        return command;
    }
}
