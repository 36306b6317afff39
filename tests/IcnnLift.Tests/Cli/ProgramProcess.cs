using System.Diagnostics;
using System.Globalization;
using System.Text;
using IcnnLift.Cli;
using IcnnLift.Studies;

namespace IcnnLift.Tests.Cli;

/// <summary>The built program in a process of its own, as a user starts it from a shell: for what an in-process call
/// cannot show (signals, killed parents, child processes, file systems that fail).</summary>
internal sealed class ProgramProcess : IDisposable
{
    private readonly StringBuilder _out = new(), _err = new();

    private ProgramProcess(ProcessStartInfo start)
    {
        start.RedirectStandardOutput = true;
        start.RedirectStandardError = true;
        start.UseShellExecute = false;
        Process = Process.Start(start)!;
        Process.OutputDataReceived += (_, e) => { lock (_out) _out.AppendLine(e.Data); };
        Process.ErrorDataReceived += (_, e) => { lock (_err) _err.AppendLine(e.Data); };
        Process.BeginOutputReadLine();
        Process.BeginErrorReadLine();
    }

    public Process Process { get; }

    public string Out { get { lock (_out) return _out.ToString(); } }

    public string Err { get { lock (_err) return _err.ToString(); } }

    /// <summary>The command line for <c>icnn-lift ARGS</c>.</summary>
    public static string[] Command(params string[] args) => [ProcessRunExecutor.DotnetHost(), typeof(App).Assembly.Location, .. args];

    /// <summary>Starts <paramref name="commandLine"/> (its first word the program) in <paramref name="workingDirectory"/>.</summary>
    public static ProgramProcess Start(string workingDirectory, string[] commandLine, IDictionary<string, string>? environment = null)
    {
        var start = new ProcessStartInfo(commandLine[0]) { WorkingDirectory = workingDirectory };
        foreach (var a in commandLine.Skip(1)) start.ArgumentList.Add(a);
        foreach (var (k, v) in environment ?? new Dictionary<string, string>()) start.Environment[k] = v;
        return new ProgramProcess(start);
    }

    /// <summary>Runs to the end (at most <paramref name="seconds"/>) and returns the exit code.</summary>
    public int Wait(int seconds = 120)
    {
        if (!Process.WaitForExit(TimeSpan.FromSeconds(seconds)))
            throw new TimeoutException($"still running after {seconds} s ({Describe(Process.Id)}): {Err}");
        Process.WaitForExit(); // the output handlers have run
        return Process.ExitCode;
    }

    /// <summary>Waits until <paramref name="condition"/> holds (polling), or fails the test.</summary>
    public static void Until(Func<bool> condition, string what, int seconds = 60)
    {
        var clock = Stopwatch.StartNew();
        while (!condition())
        {
            if (clock.Elapsed.TotalSeconds > seconds) throw new TimeoutException($"waited {seconds} s for {what}");
            Thread.Sleep(50);
        }
    }

    [System.Runtime.InteropServices.DllImport("libc", EntryPoint = "kill")]
    private static extern int Kill(int pid, int signal);

    /// <summary>Sends <paramref name="signal"/> (2: SIGINT, 15: SIGTERM) to the program.</summary>
    public void Signal(int signal)
    {
        if (Kill(Process.Id, signal) != 0) throw new InvalidOperationException($"kill({Process.Id}, {signal}) failed");
    }

    /// <summary>The live (not zombie) processes whose parent is <paramref name="pid"/>, from /proc.</summary>
    public static List<int> ChildrenOf(int pid) =>
        Directory.GetDirectories("/proc").Select(Path.GetFileName).Where(n => n!.All(char.IsAsciiDigit)).Select(n => int.Parse(n!,
            CultureInfo.InvariantCulture))
            .Where(p => Stat(p) is { } s && s.Parent == pid && s.State != "Z").ToList();

    /// <summary>Whether <paramref name="pid"/> runs (exists and is not a zombie).</summary>
    public static bool Alive(int pid) => Stat(pid) is { State: not "Z" };

    /// <summary>A process, its threads' kernel wait channels and its children's, from /proc: where a hung program waits
    /// (state Z: it ended and the test host missed it).</summary>
    private static string Describe(int pid)
    {
        string Waits() => string.Join(" ", Directory.GetDirectories($"/proc/{pid}/task").Select(t => ReadOr($"{t}/wchan")).CountBy(w => w)
            .Select(w => $"{w.Key}x{w.Value}"));
        return Stat(pid) is { } s ? $"pid {pid} state {s.State}, waits {Waits()}"
            + string.Concat(ChildrenOf(pid).Select(c => $"; child {Describe(c)}")) : $"pid {pid} gone";
    }

    private static string ReadOr(string path)
    {
        try
        {
            return File.ReadAllText(path);
        }
        catch (IOException)
        {
            return "?";
        }
    }

    private static (string State, int Parent)? Stat(int pid)
    {
        try
        {
            var stat = File.ReadAllText($"/proc/{pid}/stat");
            var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
            return (fields[0], int.Parse(fields[1], CultureInfo.InvariantCulture));
        }
        catch (IOException)
        {
            return null;
        }
    }

    public void Dispose()
    {
        if (!Process.HasExited) Process.Kill(entireProcessTree: true);
        Process.Dispose();
    }
}
