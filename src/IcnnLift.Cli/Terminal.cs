using System.Globalization;
using System.Text.Json;
using IcnnLift.Training;
using Spectre.Console;

namespace IcnnLift.Cli;

/// <summary>Progress on stderr, results on stdout: a table for people, JSON for scripts.</summary>
internal static class Terminal
{
    private static readonly IAnsiConsole Progress = AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(Console.Error) });

    /// <summary>Runs <paramref name="work"/> under a progress bar of <paramref name="total"/> units; it reports units done through the callback (thread-safe).</summary>
    public static T WithProgress<T>(string description, double total, Func<Action<double>, T> work) =>
        Progress.Progress()
            .AutoClear(false)
            .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new ElapsedTimeColumn(), new RemainingTimeColumn())
            .Start(ctx =>
            {
                var task = ctx.AddTask(description, maxValue: total);
                return work(units => task.Increment(units));
            });

    public static void Json<T>(T value) => Console.Out.WriteLine(JsonSerializer.Serialize(value, RunFolder.Json));

    public static string Number(double? v, string format = "F4") =>
        v is double d && double.IsFinite(d) ? d.ToString(format, CultureInfo.InvariantCulture) : "-";

    public static void Table(string title, string[] headers, IEnumerable<string[]> rows)
    {
        var table = new Table().Title(Markup.Escape(title)).Border(TableBorder.Rounded);
        foreach (var h in headers) table.AddColumn(new TableColumn(Markup.Escape(h)).RightAligned());
        table.Columns[0].LeftAligned();
        foreach (var row in rows) table.AddRow(row.Select(Markup.Escape).ToArray());
        AnsiConsole.Write(table);
    }

    public static void Line(string text) => AnsiConsole.MarkupLine(Markup.Escape(text));
}
