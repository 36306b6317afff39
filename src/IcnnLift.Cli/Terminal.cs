using System.Globalization;
using System.Text.Json;
using Spectre.Console;

namespace IcnnLift.Cli;

/// <summary>Progress on stderr, results on stdout: a table for people, JSON for scripts.</summary>
internal static class Terminal
{
    /// <summary>--quiet: no progress bars, tables or lines; JSON and errors still go out.</summary>
    public static bool Quiet { get; set; }

    /// <summary>A console over the writer of the moment (tests redirect it). A redirected one is given a wide
    /// virtual width so that tables keep their shape in logs and files.</summary>
    private static IAnsiConsole Over(TextWriter writer, bool redirected)
    {
        var console = AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(writer) });
        if (redirected) console.Profile.Width = 160;
        return console;
    }

    /// <summary>Runs <paramref name="work"/> under a progress bar of <paramref name="total"/> units; it reports units done
    /// through the callback (thread-safe).</summary>
    public static void WithProgress(string description, double total, Action<Action<double>> work) => Show(description, total, work, onThisThread: false);

    /// <summary>The same with no refresh thread: the bar is redrawn by the thread that reports, at most every 200 ms.
    /// For work that calls libtorch in this process, where another allocating thread is a hazard (see ProcessRunExecutor).
    /// A report after SIGINT or SIGTERM throws <see cref="OperationCanceledException"/>.</summary>
    public static void WithProgressOnThisThread(string description, double total, Action<Action<double>> work) =>
        Show(description, total, work, onThisThread: true);

    private static void Show(string description, double total, Action<Action<double>> work, bool onThisThread)
    {
        if (Quiet)
        {
            work(_ =>
            {
                if (onThisThread) Interruption.ThrowIfRequested();
            });
            return;
        }
        Bar(autoRefresh: !onThisThread).Start(ctx =>
        {
            var task = ctx.AddTask(description, maxValue: total);
            var clock = System.Diagnostics.Stopwatch.StartNew();
            work(units =>
            {
                task.Increment(units);
                if (!onThisThread) return;
                Interruption.ThrowIfRequested();
                if (clock.ElapsedMilliseconds < 200) return;
                ctx.Refresh();
                clock.Restart();
            });
            ctx.Refresh();
        });
    }

    private static Progress Bar(bool autoRefresh) =>
        Over(Console.Error, Console.IsErrorRedirected).Progress()
            .AutoRefresh(autoRefresh)
            .AutoClear(false)
            .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new ElapsedTimeColumn(), new RemainingTimeColumn());

    public static void Json<T>(T value) => Console.Out.WriteLine(JsonSerializer.Serialize(value, RunFolder.Json));

    /// <summary>Prints <paramref name="value"/> as JSON and returns <paramref name="code"/>.</summary>
    public static int Json<T>(T value, int code)
    {
        Json(value);
        return code;
    }

    public static string Number(double? v, string format = "F4") =>
        v is double d && double.IsFinite(d) ? d.ToString(format, CultureInfo.InvariantCulture) : "-";

    /// <summary>A table: numbers right-aligned, the first column (and <paramref name="textColumns"/>) left-aligned.</summary>
    public static void Table(string title, string[] headers, IEnumerable<string[]> rows, params int[] textColumns)
    {
        if (Quiet) return;
        var table = new Table().Title(Markup.Escape(title)).Border(TableBorder.Rounded);
        foreach (var h in headers) table.AddColumn(new TableColumn(Markup.Escape(h)).RightAligned());
        foreach (int c in textColumns.Append(0)) table.Columns[c].LeftAligned();
        foreach (var row in rows) table.AddRow(row.Select(Markup.Escape).ToArray());
        Over(Console.Out, Console.IsOutputRedirected).Write(table);
    }

    public static void Line(string text)
    {
        if (!Quiet) Console.Out.WriteLine(text);
    }
}
