using System.CommandLine;

namespace IcnnLift.Cli;

/// <summary><c>icnn-lift export</c>: a run's model in a file other frameworks read (see <see cref="PortableWeights"/>).</summary>
internal static class ExportCommand
{
    public static Command Create()
    {
        var model = Options.Required("--model", "Run folder written by train, compare or reproduce");
        var format = Options.Valued("--format", "safetensors (tensors and metadata; python/icnn_lift_reader.py reads it) or pytorch (torch.load)",
            "safetensors");
        var output = Options.Required("--out", "File to write; an existing file is refused");
        var overwrite = Options.Plain<bool>("--overwrite", "Replace the --out file if it exists");
        var command = new Command("export", "Write a run's collapsed model as safetensors or in PyTorch's format, with the names the README documents.");
        foreach (var o in new Option[] { model, format, output, overwrite }) command.Options.Add(o);
        command.SetAction(p =>
        {
            var kind = UserInput.Check(() => Choice.Parse<ExportFormat>(p.GetValue(format)!, "format"));
            var path = OutputFolder.CheckFile(p.GetValue(output)!, p.GetValue(overwrite));
            Runtime.TorchRuntime.Initialize(1);
            var run = RunFolder.Load(p.GetValue(model)!);
            PortableWeights.Write(path, run.Model, run.Manifest.Config, kind);
            Terminal.Line($"{path} ({Choice.Name(kind)})");
            return ExitCodes.Ok;
        });
        return command;
    }
}
