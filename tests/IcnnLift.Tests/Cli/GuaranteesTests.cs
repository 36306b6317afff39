using System.Diagnostics;
using System.Globalization;
using Xunit;

namespace IcnnLift.Tests.Cli;

/// <summary>
/// The promises of the README's "Guarantees" table, one test (or theory) each: a command writes only into a folder
/// it creates, never loses a user's file, refuses a second writer, leaves no process behind when killed, says what
/// failed in one line, and ends with the documented exit code. Each one failed before the output contract existed.
/// </summary>
[Collection("console")]
public sealed class GuaranteesTests : TempFolderTest
{
    private static readonly string[] Quick = ["--steps", "30", "--width", "8", "--depth", "2", "--eval-every", "10", "--grid-points", "128", "--n-train",
        "200", "--n-validation", "100", "--n-test", "200"];

    /// <summary>Long enough to be interrupted (minutes), cheap to start.</summary>
    private static readonly string[] Long = ["--target", "gumbel", "--steps", "200000", "--width", "8", "--depth", "2"];

    private string P(string name) => Path.Combine(Folder, name);

    private string Csv(string name, IEnumerable<string> lines)
    {
        File.WriteAllLines(P(name), lines);
        return P(name);
    }

    private static void OneLine(string err, string expected)
    {
        Assert.Contains(expected, err);
        Assert.Single(err.Trim().Split('\n'));
    }

    [Theory]
    [InlineData("train")]
    [InlineData("compare")]
    public void An_existing_folder_is_refused_and_its_files_are_kept(string command)
    {
        var folder = P("d");
        Directory.CreateDirectory(folder);
        File.WriteAllText(Path.Combine(folder, "thesis.tex"), "years of work");
        var (code, _, err) = InProcess.Run([command, "--target", "gumbel", "--out", folder, .. Quick]);
        Assert.Equal(2, code);
        OneLine(err, "the folder exists and is not empty");
        Assert.Equal(["thesis.tex"], Directory.GetFileSystemEntries(folder).Select(Path.GetFileName));
        Assert.Equal("years of work", File.ReadAllText(Path.Combine(folder, "thesis.tex")));
    }

    [Fact]
    public void The_working_directory_and_its_ancestors_are_refused_even_with_overwrite()
    {
        var work = P("work");
        Directory.CreateDirectory(work);
        File.WriteAllText(Path.Combine(work, "notes.txt"), "mine");
        var cwd = Environment.CurrentDirectory;
        try
        {
            Environment.CurrentDirectory = work;
            foreach (var path in new[] { ".", "..", "/" })
            {
                var (code, _, err) = InProcess.Run(["train", "--target", "gumbel", "--out", path, "--overwrite", .. Quick]);
                Assert.Equal(2, code);
                OneLine(err, "refusing to write into");
            }
        }
        finally
        {
            Environment.CurrentDirectory = cwd;
        }
        Assert.Equal("mine", File.ReadAllText(Path.Combine(work, "notes.txt")));
    }

    [Fact]
    public void Overwrite_replaces_only_our_own_folder_and_defaults_never_collide()
    {
        var run = P("run");
        Assert.Equal(0, InProcess.Run(["train", "--target", "gumbel", "--out", run, .. Quick]).Code);
        Assert.Equal(2, InProcess.Run(["train", "--target", "gumbel", "--out", run, .. Quick]).Code);
        Assert.Equal(0, InProcess.Run(["train", "--target", "gumbel", "--seed", "1", "--out", run, "--overwrite", .. Quick]).Code);
        Assert.Contains("\"seed\": 1", File.ReadAllText(Path.Combine(run, "result.json")));

        var cwd = Environment.CurrentDirectory;
        try
        {
            Environment.CurrentDirectory = Folder;
            Assert.Equal(0, InProcess.Run(["train", "--target", "gumbel", .. Quick]).Code);
            Assert.Equal(0, InProcess.Run(["train", "--target", "gumbel", .. Quick]).Code);
        }
        finally
        {
            Environment.CurrentDirectory = cwd;
        }
        Assert.Equal(["gumbel-lift-seed0", "gumbel-lift-seed0-2"], Directory.GetDirectories(P("runs")).Select(Path.GetFileName).Order());
    }

    [Theory]
    [InlineData("train")]
    [InlineData("compare")]
    public void Killing_the_parent_with_SIGKILL_ends_its_runs_and_writes_nothing(string command)
    {
        var output = P("out");
        using var program = ProgramProcess.Start(Folder, ProgramProcess.Command([command, .. Long, "--out", output]));
        ProgramProcess.Until(() => ProgramProcess.ChildrenOf(program.Process.Id).Count > 0, "a run's process");
        var children = ProgramProcess.ChildrenOf(program.Process.Id);
        program.Process.Kill(); // SIGKILL: the parent runs no code of its own
        Thread.Sleep(3000);
        Assert.All(children, c => Assert.False(ProgramProcess.Alive(c), $"run process {c} outlived its parent"));
        Assert.False(Directory.Exists(output));
    }

    [Theory]
    [InlineData("INT", 2)]
    [InlineData("TERM", 15)]
    public void A_signal_stops_the_runs_removes_every_scratch_folder_and_says_what_was_kept(string signal, int number)
    {
        var output = P("out");
        var tmp = P("tmp");
        Directory.CreateDirectory(tmp);
        using var program = ProgramProcess.Start(Folder, ProgramProcess.Command(["compare", .. Long, "--seeds", "2", "--out", output]),
            new Dictionary<string, string> { ["TMPDIR"] = tmp });
        ProgramProcess.Until(() => ProgramProcess.ChildrenOf(program.Process.Id).Count > 0, "a run's process");
        var children = ProgramProcess.ChildrenOf(program.Process.Id);
        program.Signal(number);
        Assert.Equal(128 + number, program.Wait(30));
        Assert.Contains($"interrupted by SIG{signal}: nothing was written", program.Err);
        Assert.All(children, c => Assert.False(ProgramProcess.Alive(c), $"run process {c} outlived the command"));
        Assert.Equal(["tmp"], Directory.GetFileSystemEntries(Folder).Select(Path.GetFileName)); // no output, no hidden staging folder
        Assert.Empty(Directory.GetFileSystemEntries(tmp));
    }

    [Fact]
    public void A_second_writer_to_the_same_folder_is_refused_naming_the_first()
    {
        var output = P("out");
        using var first = ProgramProcess.Start(Folder, ProgramProcess.Command(["train", .. Long, "--out", output]));
        ProgramProcess.Until(() => File.Exists(Path.Combine(P(".out.partial"), ".owner")), "the first run's claim");
        var (code, _, err) = InProcess.Run(["train", "--target", "gumbel", "--seed", "2", "--out", output, .. Quick]);
        Assert.Equal(2, code);
        OneLine(err, $"process {first.Process.Id} is writing it now");
        first.Signal(15);
        Assert.Equal(143, first.Wait(30));
        Assert.Empty(Directory.GetFileSystemEntries(Folder));
    }

    /// <summary>Runs the program on a file system of its own (a private tmpfs mounted at <c>mnt</c>, in a user and mount
    /// namespace), then lists what the command left there on stdout.</summary>
    private ProgramProcess OnSmallDisk(string mountOptions, params string[] args)
    {
        Directory.CreateDirectory(P("mnt"));
        var command = string.Join(" ", ProgramProcess.Command(args).Select(a => $"'{a}'"));
        return ProgramProcess.Start(Folder, ["unshare", "--map-root-user", "--mount", "sh", "-c",
            $"mount -t tmpfs -o {mountOptions} tmpfs mnt || exit 99; {command}; code=$?; ls -A mnt; exit $code"]);
    }

    [Fact]
    public void A_full_disk_or_a_read_only_folder_is_one_line_naming_the_cause_and_leaves_nothing()
    {
        using (var full = OnSmallDisk("size=8k", ["train", "--target", "gumbel", "--out", "mnt/run", .. Quick]))
        {
            Assert.Equal(1, full.Wait());
            var error = Assert.Single(full.Err.Split('\n'), l => l.StartsWith("error:", StringComparison.Ordinal));
            Assert.Contains("No space left on device", error);
            Assert.DoesNotContain("   at ", full.Err);
            Assert.Empty(full.Out.Trim());
        }
        using var readOnly = OnSmallDisk("ro", ["train", "--target", "gumbel", "--out", "mnt/run", .. Quick]);
        Assert.Equal(1, readOnly.Wait());
        Assert.Contains("error: Read-only file system", readOnly.Err);
    }

    [Fact]
    public void A_failed_run_stops_the_others_unless_keep_going_is_given()
    {
        string[] compare = ["compare", "--target", "gumbel", "--methods", "pgd", "--seeds", "3", "--threads", "1", "--out", "mnt/cmp",
            "--steps", "1500", "--width", "16", "--depth", "2", "--eval-every", "100", "--grid-points", "128"];
        var clock = Stopwatch.StartNew();
        using (var first = OnSmallDisk("size=8k", compare))
        {
            Assert.Equal(1, first.Wait());
            Assert.Contains("error: run gumbel, pgd, seed 0: No space left on device", first.Err);
            Assert.Empty(first.Out.Trim());
        }
        var failFast = clock.Elapsed;
        clock.Restart();
        using (var all = OnSmallDisk("size=8k", [.. compare, "--keep-going"]))
        {
            Assert.Equal(1, all.Wait());
            Assert.Equal(3, all.Err.Split('\n').Count(l => l.StartsWith("failed: run gumbel, pgd, seed ", StringComparison.Ordinal)));
            Assert.Contains("error: every run failed", all.Err);
        }
        // Stopping after the first of three runs takes well under the time of all three.
        Assert.True(failFast < 0.75 * clock.Elapsed, $"fail fast {failFast.TotalSeconds:F1} s, keep going {clock.Elapsed.TotalSeconds:F1} s");
    }

    public static TheoryData<string[], string> BrokenInputs => new()
    {
        { ["train", "--target", "gumbel", "--out", ""], "--out: the path is empty" },
        { ["compare", "--target", "gumbel", "--seeds", "2", "--first-seed", "2147483647"], "passes the largest seed" },
        { ["compare", "--target", "gumbel", "--out", "FILE"], "is a file, not a folder" },
        { ["ablate", "--target", "gumbel", "--out", "FILE"], "is a file, not a folder" },
        { ["sde", "--out", "FILE"], "is a file, not a folder" },
        { ["landscape", "--target", "gumbel", "--out", "FILE"], "is a file, not a folder" },
        { ["mnist", "--digits", "FOLDER", "--out", "FILE"], "is a file, not a folder" },
        { ["demo", "--out", "FILE"], "is a file, not a folder" },
        { ["reproduce", "admm", "--quick", "--out", "FILE"], "is a file, not a folder" },
        { ["report", "--out", "FILE"], "is a file, not a folder" },
        { ["report", "--out", "FOLDER"], "not a results folder of icnn-lift reproduce" },
        { ["density", "--model", "FOLDER", "--points", "FILE", "--out", ""], "--out: the path is empty" },
        { ["density", "--model", "FOLDER", "--points", "FILE"], "not a run folder" },
        { ["sample", "--model", "FOLDER", "--out", "FOLDER"], "is a folder; give a file name" },
        { ["sample", "--model", "FOLDER", "--out", "FILE"], "the file exists" },
    };

    [Theory]
    [MemberData(nameof(BrokenInputs))]
    public void Every_command_answers_a_broken_input_with_one_line_and_exit_code_2(string[] args, string expected)
    {
        var file = P("file.csv");
        File.WriteAllText(file, "x\n1\n");
        var folder = P("folder");
        Directory.CreateDirectory(folder);
        File.WriteAllText(Path.Combine(folder, "notes.txt"), "mine");
        var (code, _, err) = InProcess.Run(args.Select(a => a switch { "FILE" => file, "FOLDER" => folder, _ => a }).ToArray());
        Assert.Equal(2, code);
        OneLine(err, expected);
        Assert.Equal(["file.csv", "folder"], Directory.GetFileSystemEntries(Folder).Select(Path.GetFileName).Order());
        Assert.Equal(["notes.txt"], Directory.GetFileSystemEntries(folder).Select(Path.GetFileName));
    }

    [Theory]
    [InlineData("truncated")]
    [InlineData("empty")]
    [InlineData("random")]
    public void A_damaged_model_file_is_named_not_a_crash(string damage)
    {
        var run = P("run");
        Assert.Equal(0, InProcess.Run(["train", "--target", "gumbel", "--out", run, .. Quick]).Code);
        var model = Path.Combine(run, "model.pt");
        var bytes = File.ReadAllBytes(model);
        File.WriteAllBytes(model, damage switch
        {
            "truncated" => bytes[..(bytes.Length / 2)],
            "empty" => [],
            _ => Enumerable.Range(0, 2000).Select(i => (byte)new Random(i).Next(256)).ToArray(),
        });
        var points = Csv("points.csv", ["x", "0.5"]);
        foreach (var args in new[] { new[] { "density", "--model", run, "--points", points }, ["sample", "--model", run, "--out", P("s.csv")] })
        {
            var (code, _, err) = InProcess.Run(args);
            Assert.Equal(2, code);
            OneLine(err, $"{model}: not a model this run's config.json describes");
        }
    }

    [Theory]
    [InlineData(200, -1, "big.csv:1, column 1: value '1e308' overflows float32")]
    [InlineData(199, 57, "big.csv:58, column 1: value '1e308' overflows float32")]
    public void Values_that_overflow_float32_are_refused_with_file_line_and_column(int rows, int at, string expected)
    {
        var rng = new Random(1);
        var csv = Csv("big.csv", Enumerable.Range(0, rows).Select(i => at < 0 || i == at ? "1e308" : rng.NextDouble().ToString("R",
            CultureInfo.InvariantCulture)));
        var (code, _, err) = InProcess.Run(["train", "--data", csv, "--out", P("run"), .. Quick]);
        Assert.Equal(2, code);
        OneLine(err, expected);
        Assert.False(Directory.Exists(P("run")));
    }

    [Fact]
    public void A_run_stopped_by_a_non_finite_loss_exits_3_and_says_so_on_stderr_even_with_json()
    {
        var rng = new Random(1);
        var csv = Csv("big.csv", Enumerable.Range(0, 199).Select(i => i == 57 ? "1e308" : rng.NextDouble().ToString("R", CultureInfo.InvariantCulture)));
        var run = P("run");
        var (code, stdout, err) = InProcess.Run(["train", "--data", csv, "--precision", "float64", "--json", "--out", run, .. Quick]);
        Assert.Equal(3, code);
        Assert.Contains("\"stopped\":", stdout);
        OneLine(err.Split('\n').Last(l => l.Length > 0), "stopped: training loss became NaN");
        Assert.True(File.Exists(Path.Combine(run, "model.pt"))); // the best checkpoint is kept
    }

    [Fact]
    public void Data_a_density_cannot_be_fitted_to_is_refused_before_any_work()
    {
        var rng = new Random(1);
        var wide = Csv("wide.csv", Enumerable.Range(0, 20).Select(_ => string.Join(",", Enumerable.Range(0, 10_000).Select(_ => rng.NextDouble().ToString("F3",
            CultureInfo.InvariantCulture)))));
        var clock = Stopwatch.StartNew();
        var (code, _, err) = InProcess.Run(["train", "--data", wide, "--out", P("run"), .. Quick]);
        Assert.Equal(2, code);
        OneLine(err, "wide.csv: 10000 columns but only 16 training rows (80% of 20)");
        Assert.True(clock.Elapsed.TotalSeconds < 30, $"took {clock.Elapsed.TotalSeconds:F0} s to refuse");

        var constant = Csv("constant.csv", Enumerable.Repeat("3.5", 100));
        (code, _, err) = InProcess.Run(["train", "--data", constant, "--out", P("run"), .. Quick]);
        Assert.Equal(2, code);
        OneLine(err, "constant.csv, column 1: every sample has the value 3.5");
        Assert.False(Directory.Exists(P("run")));
    }
}
