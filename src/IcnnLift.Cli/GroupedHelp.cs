using System.CommandLine;
using System.CommandLine.Help;
using System.CommandLine.Invocation;
using System.Text.RegularExpressions;

namespace IcnnLift.Cli;

/// <summary>--help with the options in sections (data, model, optimisation, lift, diagnostics, output): System.CommandLine's
/// own help, its option rows regrouped under the section each option was given (<see cref="Add"/>); a command's own
/// options and --help stay first, under "Options".</summary>
internal sealed partial class GroupedHelp(HelpAction standard) : SynchronousCommandLineAction
{
    private static readonly Dictionary<string, string> Sections = [];
    private static readonly string[] Order = ["Data", "Model", "Optimisation", "Lift", "Diagnostics", "Output"];

    /// <summary>Files the options under <paramref name="section"/> in every command's help.</summary>
    public static void Add(string section, params Option[] options)
    {
        foreach (var option in options) Sections[option.Name] = section;
    }

    public override bool ClearsParseErrors => true;

    public override int Invoke(ParseResult parseResult)
    {
        var output = parseResult.InvocationConfiguration.Output;
        var captured = new StringWriter();
        parseResult.InvocationConfiguration.Output = captured;
        try
        {
            standard.Invoke(parseResult);
        }
        finally
        {
            parseResult.InvocationConfiguration.Output = output;
        }
        var lines = captured.ToString().ReplaceLineEndings("\n").TrimEnd('\n').Split('\n');
        int start = Array.IndexOf(lines, "Options:");
        if (start < 0)
        {
            output.Write(captured.ToString());
            return 0;
        }
        int end = Array.FindIndex(lines, start + 1, l => l.Length == 0) is var blank && blank > 0 ? blank : lines.Length;
        // An option's row starts two spaces in; its wrapped description continues deeper.
        var rows = new List<(string Section, List<string> Lines)>();
        foreach (var line in lines[(start + 1)..end])
            if (line.StartsWith("  ", StringComparison.Ordinal) && !line.StartsWith("   ", StringComparison.Ordinal))
                rows.Add((OptionName().Match(line) is { Success: true } m && Sections.TryGetValue(m.Value, out var s) ? s : "Options", [line]));
            else if (rows.Count > 0) rows[^1].Lines.Add(line);
        foreach (var line in lines[..start]) output.WriteLine(line);
        foreach (var section in Order.Prepend("Options"))
        {
            var inSection = rows.Where(r => r.Section == section).ToList();
            if (inSection.Count == 0) continue;
            output.WriteLine($"{section}:");
            foreach (var line in inSection.SelectMany(r => r.Lines)) output.WriteLine(line);
            output.WriteLine();
        }
        foreach (var line in lines[end..].SkipWhile(l => l.Length == 0)) output.WriteLine(line);
        return 0;
    }

    [GeneratedRegex(@"--[a-z0-9-]+")]
    private static partial Regex OptionName();
}
