using IcnnLift.Cli;
using IcnnLift.Studies.Reproduction;
using Xunit;

namespace IcnnLift.Tests.Cli;

[CollectionDefinition("console", DisableParallelization = true)]
public sealed class ConsoleCollection;

/// <summary>The command line end to end, in process: exit codes, one-line errors, run folders.</summary>
[Collection("console")]
public sealed class CliTests : TempFolderTest
{
    private static (int Code, string Out, string Err) Run(params string[] args) => InProcess.Run(args);

    private string Csv(string text)
    {
        var path = Path.Combine(Folder, $"{Guid.NewGuid():N}.csv");
        File.WriteAllText(path, text);
        return path;
    }

    private static readonly string[] Quick = ["--steps", "30", "--width", "8", "--depth", "2", "--eval-every", "10", "--grid-points", "128", "--n-train",
        "200", "--n-validation", "100", "--n-test", "200"];

    public static TheoryData<string[], string> BadInputs => new()
    {
        { ["train", "--target", "cauchy"], "unknown target 'cauchy'" },
        { ["train", "--target", "gumbel", "--method", "clamp"], "unknown method 'clamp'" },
        { ["train", "--target", "gumbel", "--width", "0"], "--width must be positive" },
        { ["train", "--target", "gumbel", "--depth", "-1"], "--depth must be positive" },
        { ["train", "--target", "gumbel", "--steps", "0"], "--steps must be positive" },
        { ["train", "--target", "gumbel", "--steps", "ten"], "ten" },
        { ["train"], "exactly one of --target" },
        { ["train", "--target", "gumbel", "--activation", "tanh"], "unknown activation 'tanh'" },
        { ["compare", "--target", "gumbel", "--methods", "pgd,nope"], "unknown method 'nope'" },
        { ["compare", "--target", "gumbel", "--seeds", "0"], "--seeds must be positive" },
        { ["train", "--target", "tabular-6d", "--is-samples", "1"], "--is-samples must be at least 2" },
        { ["train", "--target", "8gaussians", "--task", "vae"], "unknown task 'vae'" },
        { ["train", "--target", "8gaussians", "--task", "flow", "--blocks", "0"], "--blocks must be positive" },
        { ["train", "--target", "gumbel", "--crosscov-window", "1"], "--crosscov-window must be 0 (off) or at least 2" },
        { ["ablate", "--target", "gumbel", "--crosscov-window", "0"], "--crosscov-window 0 turns off" },
        { ["ablate", "--target", "gumbel", "--steps", "40"], "--steps 40 gives no cross-covariance reading" },
        { ["sde", "--noise", "0,abc"], "--noise: 'abc' is not a number" },
        { ["sde", "--start", "1"], "--start must be in the shoulder" },
        { ["sde", "--budgets", "0"], "--budgets: budgets must be positive" },
        { ["landscape", "--target", "gumbel", "--other", "lift"], "--other must be another method than the lift" },
        { ["reproduce", "nope"], "unknown experiment 'nope'" },
        { ["train", "--target", "gumbel", "--optimizer", "rmsprop"], "unknown optimizer 'rmsprop'" },
        { ["reproduce", "admm", "--shard", "3/2"], "--shard: expected i/n with 1 <= i <= n, got '3/2'" },
        { ["reproduce", "admm", "--shard", "0/0"], "--shard: expected i/n" },
        { ["reproduce", "mnist-latents", "--digits", "no-such-folder"], "no-such-folder: folder not found" },
        { ["report"], "results folder not found" },
        { ["landscape", "--target", "gumbel", "--alpha-range", "1"], "--alpha-range: expected two numbers" },
        { ["landscape", "--target", "gumbel", "--beta-range", "1,-1"], "--beta-range must be two finite numbers, low < high" },
        { ["landscape", "--target", "gumbel", "--resolution", "1"], "--resolution must be at least 2" },
        { ["train", "--target", "gumbel", "--hypernetwork", "huge"], "unknown hypernetwork preset 'huge' (small, paper)" },
        { ["train", "--target", "gumbel", "--encoder-width", "0"], "--encoder-width must be positive" },
        { ["train", "--target", "gumbel", "--hypernetwork", "paper", "--decoder-width", "-3"], "--decoder-width must be positive" },
        { ["train", "--target", "gumbel", "--noise-batches", "1"], "--noise-batches must be 0 (off) or at least 2" },
        { ["compare", "--target", "gumbel", "--tune-lr", "0.005,-1"], "--tune-lr: every learning rate must be a positive number, got -1" },
        { ["compare", "--target", "gumbel", "--tune-lr", "0.005,0"], "--tune-lr: every learning rate must be a positive number, got 0" },
        { ["compare", "--target", "gumbel", "--tune-lr", "0.005", "--tune-seeds", "7,3"], "--tune-seeds: seed 3 is also an evaluation seed" },
        { ["compare", "--target", "gumbel", "--tune-lr", "0.005,x"], "--tune-lr: 'x' is not a number" },
        { ["train", "--target", "8gaussians", "--preset", "cpflow-huge"], "unknown preset 'cpflow-huge'" },
        { ["train", "--target", "8gaussians", "--preset", "cpflow-toy", "--depth", "0"], "--depth must be positive" },
        { ["train", "--target", "8gaussians", "--preset", "cpflow-toy", "--base-scale", "0"], "--base-scale must be a positive number" },
        { ["train", "--target", "8gaussians", "--preset", "cpflow-toy", "--lr-schedule", "step:0"], "the step size must be a positive number" },
        { ["train", "--target", "gumbel", "--device", "tpu"], "unknown device 'tpu' (cpu, cuda)" },
        { ["compare", "--target", "gumbel", "--device", "cuda"], "--device cuda: this libtorch has no CUDA device" }, // the CPU build is what we ship
    };

    [Theory]
    [MemberData(nameof(BadInputs))]
    public void Bad_options_give_one_line_and_exit_code_2_and_write_nothing(string[] args, string expected)
    {
        var output = Path.Combine(Folder, "run");
        var (code, _, err) = Run([.. args, "--out", output]);
        Assert.Equal(2, code);
        Assert.Contains(expected, err);
        Assert.Single(err.Trim().Split('\n'));
        Assert.False(Directory.Exists(output));
        Assert.Empty(Directory.GetDirectories(Folder));
    }

    [Fact]
    public void Quiet_prints_nothing_but_a_run_is_written_and_help_groups_the_options_and_needs_no_required_option()
    {
        var output = Path.Combine(Folder, "quiet");
        var (code, stdout, stderr) = Run(["train", "--target", "gumbel", "--out", output, "--quiet", .. Quick]);
        Assert.Equal((0, "", ""), (code, stdout.Trim(), stderr.Trim()));
        Assert.True(File.Exists(Path.Combine(output, "model.safetensors")));

        var help = Run("train", "--help").Out;
        string[] order = ["Options:", "--method", "Data:", "--target", "Model:", "--width", "Optimisation:", "--steps", "Lift:", "--hypernetwork",
            "Diagnostics:", "--shoulder", "Output:", "--out", "--quiet"];
        var at = order.Select(s => help.IndexOf(s, StringComparison.Ordinal)).ToList();
        Assert.All(at, i => Assert.True(i >= 0, help));
        Assert.Equal(at.Order(), at);
        // Help is help even where a required option is missing.
        var (code2, exportHelp, _) = Run("export", "--help");
        Assert.Equal(0, code2);
        Assert.Contains("--model <model> (REQUIRED)", exportHelp);
    }

    [Theory]
    [InlineData("x\n", "no data rows after the header")]
    [InlineData("x,y\n1,2\n3\n", ":3: expected 2 columns, found 1")]
    [InlineData("1,2\n3,four\n", ":2, column 2: 'four' is not a number")]
    [InlineData("1,2\nnan,4\n", ":2, column 1: value 'nan' is not finite")]
    [InlineData("1,2\n-Infinity,4\n", "is not finite")]
    public void Bad_data_files_give_file_line_and_column(string text, string expected)
    {
        var output = Path.Combine(Folder, "run");
        var (code, _, err) = Run("train", "--data", Csv(text), "--out", output);
        Assert.Equal(2, code);
        Assert.Contains(expected, err);
        Assert.False(Directory.Exists(output));
    }

    [Fact]
    public void Lift_fixed_with_the_paper_scale_hypernetwork_records_its_settings_and_its_batch_noise()
    {
        var output = Path.Combine(Folder, "fixed");
        Assert.Equal(0, Run(["train", "--target", "gumbel", "--method", "lift-fixed", "--hypernetwork", "paper", "--decoder-width", "16",
            "--noise-batches", "4", "--out", output, .. Quick]).Code);
        var config = System.Text.Json.Nodes.JsonNode.Parse(File.ReadAllText(Path.Combine(output, "config.json")))!["config"]!;
        Assert.Equal("lift-fixed", (string?)config["method"]);
        Assert.Equal(256, (int?)config["lift"]!["encoder_width"]);
        Assert.Equal(16, (int?)config["lift"]!["decoder_width"]);
        Assert.Equal(4, (int?)config["noise_batches"]);
        var metrics = File.ReadAllLines(Path.Combine(output, "metrics.csv"));
        int column = Array.IndexOf(metrics[0].Split(','), "batch_noise_median");
        var logged = metrics.Skip(1).Select(l => l.Split(',')[column]).Where(v => v.Length > 0).ToList();
        Assert.Equal(4, logged.Count); // steps 0, 10, 20, 30
        Assert.All(logged, v => Assert.Equal("0", v)); // one batch for good: no batch noise
    }

    [Fact]
    public void Compare_under_the_tuned_protocol_evaluates_each_method_at_the_rate_its_tuning_runs_chose()
    {
        var output = Path.Combine(Folder, "tuned");
        var (code, stdout, _) = Run(["compare", "--target", "gumbel", "--methods", "softplus,lift", "--seeds", "2", "--tune-lr", "0.001,0.02",
            "--tune-seeds", "50,51", "--out", output, .. Quick]);
        Assert.Equal(0, code);
        Assert.Contains("rates chosen on the tuning seeds", stdout);
        var tuning = File.ReadAllLines(Path.Combine(output, "tuning", "tuning.csv")).Skip(1).Select(l => l.Split(',')).ToList();
        Assert.Equal(2 * 2 + 4 * 2, tuning.Count); // softplus: 2 rates; lift: 2 x 2 pairs; 2 seeds each
        foreach (var method in new[] { "softplus", "lift" })
        {
            // The reference choice: the lowest median (here: mean of two) best validation NLL over the tuning seeds.
            var best = tuning.Where(r => r[0] == method).GroupBy(r => (r[1], r[2]))
                .MinBy(g => g.Average(r => double.Parse(r[4], System.Globalization.CultureInfo.InvariantCulture)))!.Key;
            var config = System.Text.Json.Nodes.JsonNode.Parse(File.ReadAllText(Path.Combine(output, "runs", $"{method}-seed0", "config.json")))!["config"]!;
            Assert.Equal(double.Parse(best.Item1, System.Globalization.CultureInfo.InvariantCulture), (double)config["learning_rate"]!);
            Assert.Equal(best.Item2, config["hypernetwork_learning_rate"]?.ToString() ?? "");
        }
    }

    [Fact]
    public void Train_then_density_round_trip()
    {
        var output = Path.Combine(Folder, "run");
        var (code, stdout, _) = Run(["train", "--target", "gumbel", "--method", "lift", "--out", output, "--json", .. Quick]);
        Assert.Equal(0, code);
        Assert.Contains("\"test_nll\"", stdout);
        foreach (var file in new[] { "config.json", "metrics.csv", "result.json", "model.pt" })
            Assert.True(File.Exists(Path.Combine(output, file)), file);
        Assert.Equal(31 + 1, File.ReadAllLines(Path.Combine(output, "metrics.csv")).Length); // header + steps 0..30
        Assert.Contains("\"device\": \"cpu\"", File.ReadAllText(Path.Combine(output, "config.json")));

        var points = Csv("x\n-1\n0\n1.5\n");
        var densityOut = Path.Combine(Folder, "logp.csv");
        Assert.Equal(0, Run("density", "--model", output, "--points", points, "--out", densityOut).Code);
        var lines = File.ReadAllLines(densityOut);
        Assert.Equal("x1,log_density", lines[0]);
        var logp = lines.Skip(1).Select(l => double.Parse(l.Split(',')[1], System.Globalization.CultureInfo.InvariantCulture)).ToArray();
        Assert.Equal(3, logp.Length);
        Assert.All(logp, v => Assert.InRange(v, -6, 0)); // a fitted Gumbel density is below 0.37 and well above zero here

        var (badCode, _, err) = Run("density", "--model", output, "--points", Csv("1,2\n3,4\n"));
        Assert.Equal(2, badCode);
        Assert.Contains("2 columns but the model takes 1-D inputs", err);
    }

    [Fact]
    public void A_run_folder_of_the_first_format_still_loads_and_gives_the_same_log_density()
    {
        // Written by main at efaf1eb (train --target gumbel --steps 40 --width 8 --depth 2 ...); the log-densities below
        // are what that version's `density` printed for these points.
        var run = Path.Combine(Folder, "run-v1");
        foreach (var file in Directory.GetFiles(Path.Combine(AppContext.BaseDirectory, "Fixtures", "run-v1")))
        {
            Directory.CreateDirectory(run);
            File.Copy(file, Path.Combine(run, Path.GetFileName(file)));
        }
        var (code, stdout, err) = Run("density", "--model", run, "--points", Csv("x\n-1.5\n0\n0.7\n3\n"));
        Assert.True(code == 0, err);
        Assert.Equal(["x1,log_density", "-1.5,-2.297196388244629", "0,-1.4647936820983887", "0.7,-1.4219491481781006", "3,-2.502929925918579"],
            stdout.Trim().Split('\n'));
        Assert.True(IcnnLift.Data.OutputFolder.IsOurs(run)); // so --overwrite may replace it
    }

    [Fact]
    public void A_preset_sets_the_network_and_the_optimisation_and_options_given_override_it()
    {
        var output = Path.Combine(Folder, "preset");
        var (code, _, err) = Run("train", "--preset", "cpflow-toy", "--target", "8gaussians", "--method", "softplus", "--depth", "3", "--steps", "20",
            "--eval-every", "10", "--n-validation", "100", "--n-test", "200", "--grid-points", "32", "--symmetric-init", "--out", output);
        Assert.True(code == 0, err);
        using var json = System.Text.Json.JsonDocument.Parse(File.ReadAllText(Path.Combine(output, "config.json")));
        var config = json.RootElement.GetProperty("config");
        Assert.Equal("flow", config.GetProperty("task").GetString());
        Assert.Equal("cpflow", config.GetProperty("architecture").GetString());
        Assert.Equal("gaussian_softplus", config.GetProperty("activation").GetString());
        Assert.Equal("step:2000:0.5", config.GetProperty("schedule").GetString());
        Assert.Equal(2, config.GetProperty("flow").GetProperty("base_scale").GetDouble());
        Assert.True(config.GetProperty("symmetric_init").GetBoolean());
        Assert.Equal(32, config.GetProperty("width").GetInt32()); // the preset's
        Assert.Equal(3, config.GetProperty("depth").GetInt32()); // given
        Assert.Equal(20, config.GetProperty("steps").GetInt32());
        Assert.Equal(20_000, json.RootElement.GetProperty("splits").GetProperty("train").GetInt32()); // the preset's
    }

    [Fact]
    public void A_flow_trains_samples_and_evaluates()
    {
        var output = Path.Combine(Folder, "flow");
        Assert.Equal(0, Run(["train", "--task", "flow", "--blocks", "2", "--target", "8gaussians", "--method", "lift", "--out", output, .. Quick]).Code);
        var samples = Path.Combine(Folder, "samples.csv");
        var (code, stdout, err) = Run("sample", "--model", output, "--n", "200", "--out", samples);
        Assert.True(code == 0, err);
        Assert.Contains("inverse residual", stdout);
        Assert.Equal(201, File.ReadAllLines(samples).Length);
        Assert.True(File.Exists(Path.ChangeExtension(samples, ".png")));
        Assert.Equal(0, Run("density", "--model", output, "--points", samples, "--out", Path.Combine(Folder, "logp.csv")).Code);

        var ebm = Path.Combine(Folder, "ebm");
        Assert.Equal(0, Run(["train", "--target", "gamma-mode-2d", "--out", ebm, .. Quick]).Code);
        Assert.Equal(2, Run("sample", "--model", ebm, "--n", "100", "--mala-steps", "50", "--out", samples).Code); // the file exists
        var (ebmCode, ebmOut, ebmErr) = Run("sample", "--model", ebm, "--n", "100", "--mala-steps", "50", "--out", samples, "--overwrite");
        Assert.True(ebmCode == 0, ebmErr);
        Assert.Contains("MALA acceptance rate", ebmOut);
        Assert.Equal(101, File.ReadAllLines(samples).Length);
    }

    [Fact]
    public void A_flow_trains_on_a_uci_folder_and_a_missing_folder_is_bad_input()
    {
        var rng = new Random(5);
        Data.UciTabularTests.WriteNpy(Path.Combine(Folder, "data.npy"), Enumerable.Range(0, 600).Select(_ => Enumerable.Range(0,
            8).Select(_ => rng.NextDouble()).ToArray()).ToArray());
        var output = Path.Combine(Folder, "power-run");
        var (code, stdout, err) = Run(["train", "--task", "flow", "--uci", "power", "--data-dir", Folder, "--out", output, "--json", .. Quick]);
        Assert.True(code == 0, err);
        Assert.Contains("\"target\": \"power\"", stdout);
        var (bad, _, badErr) = Run("train", "--task", "flow", "--uci", "power", "--data-dir", Path.Combine(Folder, "nowhere"));
        Assert.Equal(2, bad);
        Assert.Contains("folder not found", badErr);
    }

    /// <summary>A folder of the npm package's JSON digits holding <paramref name="perClass"/> sparse random images a class.</summary>
    private string FakeDigits(string name, int perClass)
    {
        var digits = Path.Combine(Folder, name);
        Directory.CreateDirectory(digits);
        var rng = new Random(2);
        for (int d = 0; d < 10; d++)
            File.WriteAllText(Path.Combine(digits, $"{d}.json"), "{ \"data\": [" +
                string.Join(",", Enumerable.Range(0, perClass * 784).Select(_ => (rng.NextDouble() < 0.2 ? rng.NextDouble() : 0).ToString("F3",
                    System.Globalization.CultureInfo.InvariantCulture))) + "] }");
        return digits;
    }

    [Fact]
    public void Mnist_runs_end_to_end_on_a_few_digits_and_names_a_missing_folder()
    {
        var digits = FakeDigits("digits", 50); // 40 training rows a class: more than the 32 latent dimensions
        var output = Path.Combine(Folder, "mnist");
        var (code, stdout, err) = Run("mnist", "--digits", digits, "--methods", "lift", "--steps", "20", "--eval-every", "10", "--ae-epochs", "1",
            "--is-samples", "64", "--width", "8", "--depth", "2", "--threads", "2", "--out", output);
        Assert.True(code == 0, err);
        Assert.Contains("MNIST latents (32-D): test NLL per", stdout); // the title wraps to the table's width
        Assert.Equal(11, File.ReadAllLines(Path.Combine(output, "table.csv")).Length);
        Assert.True(File.Exists(Path.Combine(output, "samples.png")));
        var (bad, _, badErr) = Run("mnist", "--digits", Path.Combine(Folder, "none"), "--out", Path.Combine(Folder, "m2"));
        Assert.Equal(2, bad);
        Assert.Contains("folder not found", badErr);
        Assert.False(Directory.Exists(Path.Combine(Folder, "m2")));
    }

    [Fact]
    public void Compare_writes_tables_and_a_figure()
    {
        var output = Path.Combine(Folder, "cmp");
        var (code, stdout, _) = Run(["compare", "--target", "gumbel", "--methods", "pgd,lift", "--seeds", "2", "--out", output, .. Quick]);
        Assert.Equal(0, code);
        Assert.Contains("paired on shared seeds", stdout);
        foreach (var file in new[] { "summary.csv", "summary.json", "runs.csv", "densities.png", "occupancy.png", "runs/lift-seed1/model.pt" })
            Assert.True(File.Exists(Path.Combine(output, file)), file);
        Assert.Equal(1 + 4, File.ReadAllLines(Path.Combine(output, "runs.csv")).Length);
    }

    [Fact]
    public void Ablate_reports_the_structural_zeros_and_sde_the_escape_fractions()
    {
        var output = Path.Combine(Folder, "ablate");
        var (code, stdout, _) = Run(["ablate", "--target", "gumbel", "--seeds", "1", "--crosscov-window", "10", "--crosscov-every", "5", "--out", output,
            .. Quick]);
        Assert.Equal(0, code);
        foreach (var file in new[] { "ablation.csv", "ablation.png", "crosscov.png", "occupancy.png", "runs/lift-nobias-seed0/metrics.csv" })
            Assert.True(File.Exists(Path.Combine(output, file)), file);
        var rows = File.ReadAllLines(Path.Combine(output, "ablation.csv")).Skip(1).Select(l => l.Split(',')).ToDictionary(r => r[0], r => double.Parse(r[2],
            System.Globalization.CultureInfo.InvariantCulture));
        Assert.Equal(0.0, rows["softplus"]);
        Assert.Equal(0.0, rows["softplus-bias"]);
        Assert.Equal(0.0, rows["lift-nobias"]);
        Assert.True(rows["lift"] > 0);
        Assert.Contains("seeds at exactly 0", stdout);

        var sde = Path.Combine(Folder, "sde");
        (code, stdout, _) = Run("sde", "--noise", "0,0.1", "--budgets", "500,2000", "--paths", "200", "--out", sde);
        Assert.Equal(0, code);
        var csv = File.ReadAllLines(Path.Combine(sde, "sde.csv"));
        Assert.Equal(1 + 4, csv.Length);
        Assert.StartsWith("0,2000,200,0,", csv[2]); // no noise, no escape
        Assert.True(File.Exists(Path.Combine(sde, "sde.png")));
    }

    [Fact]
    public void Landscape_writes_both_panels_and_the_trajectories()
    {
        var output = Path.Combine(Folder, "land");
        var (code, stdout, _) = Run(["landscape", "--target", "gumbel", "--other", "pgd", "--resolution", "5", "--trajectory-every", "10", "--out", output,
            .. Quick]);
        Assert.Equal(0, code);
        Assert.Contains("points/s", stdout);
        var grid = File.ReadAllLines(Path.Combine(output, "landscape.csv"));
        Assert.Equal(1 + 2 * 25, grid.Length);
        Assert.Equal(1 + 2 * 2 * 4, File.ReadAllLines(Path.Combine(output, "trajectories.csv")).Length); // steps 0, 10, 20, 30
        Assert.True(File.Exists(Path.Combine(output, "landscape.png")));
    }

    [Fact]
    public void Reproduce_resumes_and_shards_and_report_merges_the_shards()
    {
        var root = Path.Combine(Folder, "rep");
        var (code, stdout, _) = Run("reproduce", "admm", "--quick", "--shard", "1/2", "--out", root);
        Assert.Equal(0, code);
        Assert.Contains("5 runs done now, 0 already finished, 5 belong to other shards", stdout);
        Assert.Contains("not run", Run("report", "--out", root).Out); // half the runs are missing

        // A run killed half-way leaves a temporary folder and no run folder: the next pass redoes it.
        var runs = Path.Combine(root, "admm", "runs", "gumbel");
        var stale = Path.Combine(runs, ".lift-seed1.tmp-99999-0");
        Directory.CreateDirectory(stale);
        File.WriteAllText(Path.Combine(stale, "config.json"), "{ truncated");
        (code, stdout, _) = Run("reproduce", "admm", "--quick", "--shard", "2/2", "--out", root);
        Assert.Equal(0, code);
        Assert.Contains("5 runs done now", stdout);
        Assert.False(Directory.Exists(stale));
        Assert.Equal(10, Directory.GetDirectories(runs).Length);
        Assert.Contains("0 runs done now, 10 already finished", Run("reproduce", "admm", "--quick", "--out", root).Out);

        (code, stdout, _) = Run("report", "--out", root);
        Assert.Equal(0, code);
        Assert.Contains("quick, 10 of 10 runs", stdout);
        var markdown = File.ReadAllText(Path.Combine(root, "report.md"));
        Assert.Contains("lift vs admm on total variation:", markdown);
        Assert.Contains("this scale cannot reach p < 0.05", markdown);
        Assert.Contains("data:image/png;base64,", File.ReadAllText(Path.Combine(root, "report.html")));
        Assert.True(File.Exists(Path.Combine(root, "report-figures", "admm-gumbel-total_variation.png")));

        // For scripts: --json (with --quiet, stdout holds the JSON alone).
        (code, stdout, _) = Run("reproduce", "admm", "--quick", "--out", root, "--json", "--quiet");
        Assert.Equal(0, code);
        using (var swept = System.Text.Json.JsonDocument.Parse(stdout))
            Assert.Equal((0, 10, "admm"), (swept.RootElement.GetProperty("ran").GetInt32(), swept.RootElement.GetProperty("skipped").GetInt32(),
                swept.RootElement.GetProperty("experiment").GetString()));
        (code, stdout, _) = Run("report", "--out", root, "--json", "--quiet");
        Assert.Equal(0, code);
        using (var report = System.Text.Json.JsonDocument.Parse(stdout))
        {
            var admm = report.RootElement.GetProperty("experiments").EnumerateArray().Single(e => e.GetProperty("experiment").GetString() == "admm");
            Assert.Equal("inconclusive", admm.GetProperty("verdict").GetString());
            Assert.Contains(admm.GetProperty("findings").EnumerateArray(), f => f.GetString()!.Contains("lift vs admm on total variation:"));
        }

        // The same folder at the other scale, or a damaged run, is refused without touching what is there.
        var (bad, _, err) = Run("reproduce", "admm", "--out", root);
        Assert.Equal(2, bad);
        Assert.Contains("holds a quick sweep of 'admm'", err);
        File.WriteAllText(Path.Combine(runs, "pgd-seed0", "config.json"), "{ \"format\": ");
        (bad, _, err) = Run("report", "--out", root);
        Assert.Equal(2, bad);
        Assert.Contains("pgd-seed0", err);
        Assert.True(File.Exists(Path.Combine(root, "report.md")));
    }

    [Fact]
    public void A_sharded_sweep_gives_the_same_runs_as_an_unsharded_one()
    {
        var whole = Path.Combine(Folder, "whole");
        var parts = Path.Combine(Folder, "parts");
        Assert.Equal(0, Run("reproduce", "admm", "--quick", "--out", whole).Code);
        Assert.Equal(0, Run("reproduce", "admm", "--quick", "--shard", "2/2", "--out", parts).Code);
        Assert.Equal(0, Run("reproduce", "admm", "--quick", "--shard", "1/2", "--threads", "1", "--out", parts).Code);
        // Every run's result.json, less its wall-clock seconds.
        string[] Results(string root) => Directory.GetDirectories(Path.Combine(root, "admm", "runs", "gumbel")).Order(StringComparer.Ordinal)
            .Select(d => Path.GetFileName(d) + ":" + string.Join("\n", File.ReadAllLines(Path.Combine(d, "result.json")).Where(l => !l.Contains("\"seconds\"",
                StringComparison.Ordinal))))
            .ToArray();
        var expected = Results(whole);
        Assert.Equal(10, expected.Length);
        Assert.Equal(expected, Results(parts));
    }

    /// <summary>A job array's processes take their shards from the scheduler's variables: each takes its own runs, and
    /// together they take every run once.</summary>
    [Fact]
    public void Reproduce_takes_its_shard_from_a_slurm_or_kubernetes_job_array()
    {
        var root = Path.Combine(Folder, "array");
        var plan = Catalog.Get("admm").Runs(quick: true, seeds: null);
        string[] Taken() => plan.Where(r => Sweep.Finished(Path.Combine(root, "admm"), r)).Select(r => r.Key).ToArray();
        (int Code, string Out, string Err) Reproduce(Dictionary<string, string> variables)
        {
            using var program = ProgramProcess.Start(Folder, ProgramProcess.Command("reproduce", "admm", "--quick", "--out", root), variables);
            return (program.Wait(), program.Out, program.Err);
        }

        var slurm = Reproduce(new() { ["SLURM_ARRAY_TASK_ID"] = "8", ["SLURM_ARRAY_TASK_MIN"] = "7", ["SLURM_ARRAY_TASK_COUNT"] = "2" });
        Assert.Equal(0, slurm.Code);
        Assert.Contains("5 runs done now, 0 already finished, 5 belong to other shards (this is shard 2/2 from the Slurm job array)", slurm.Out);
        Assert.Equal(plan.Where((_, i) => i % 2 == 1).Select(r => r.Key), Taken());
        var kubernetes = Reproduce(new() { ["JOB_COMPLETION_INDEX"] = "0", [Shard.CompletionsVariable] = "2" });
        Assert.Equal(0, kubernetes.Code);
        Assert.Contains("5 runs done now, 0 already finished, 5 belong to other shards (this is shard 1/2 from the Kubernetes Indexed Job)",
            kubernetes.Out);
        Assert.Equal(plan.Select(r => r.Key), Taken());
        var (code, _, err) = Reproduce(new() { ["JOB_COMPLETION_INDEX"] = "0" });
        Assert.Equal(2, code);
        Assert.Contains("JOB_COMPLETION_INDEX is set but ICNN_LIFT_SHARDS is not", err);
    }

    /// <summary>Every experiment of the catalogue with what its quick report must show (figures, findings).</summary>
    public static TheoryData<string, string[]> Experiments => new()
    {
        { "toy-1d", ["toy-1d-gumbel-densities.png", "gumbel+tuned: lift vs lift-fixed on total variation"] },
        { "flows-2d", ["flows-2d-8gaussians-densities.png", "8gaussians: basin, test NLL below tau = entropy 2.832 + 0.1", // numpy quadrature: 2.8319
            "8gaussians: fit to the known density", "lift vs pgd on total variation"] },
        { "dimension-scaling", [] },
        { "tabular-21d", ["tabular-21d-tabular-21d-validation_nll.png"] },
        { "mnist-latents", ["lift vs gaussian on test NLL (nats):"] }, // the baseline written by the MNIST preparation
        { "mechanism", ["mechanism-gumbel-ablation.png", "mechanism-gumbel+tuned-ablation.png", "mechanism-sde.png", "mechanism-landscape.png",
            "structural zeros hold"] },
        { "admm", [] },
        { "matched-capacity", [] },
        { "regime-map", [] },
        { "decisive-1d", ["rates chosen on the tuning seeds", "gumbel+tuned: lift vs lift-fixed on excess cross-entropy (nats)"] },
    };

    [Fact]
    public void Reproduce_beyond_paper_scale_says_so_and_a_folder_keeps_its_number_of_seeds()
    {
        var root = Path.Combine(Folder, "seeds");
        Assert.Equal(0, Run("reproduce", "admm", "--quick", "--seeds", "3", "--out", root).Code);
        Assert.Equal(15, Directory.GetDirectories(Path.Combine(root, "admm", "runs", "gumbel")).Length); // 5 methods x 3 seeds
        Assert.Equal(0, Run("report", "--out", root).Code);
        Assert.Contains("quick at 3 seeds, 15 of 15 runs", File.ReadAllText(Path.Combine(root, "report.md")));
        var (code, _, err) = Run("reproduce", "admm", "--quick", "--out", root);
        Assert.Equal(2, code);
        Assert.Contains("differs from this one", err);
        Assert.Equal(2, Run("reproduce", "admm", "--quick", "--seeds", "0", "--out", Path.Combine(Folder, "none")).Code);
    }

    [Fact]
    public void The_list_names_every_experiment_and_the_theory_covers_them_all()
    {
        var list = Run("reproduce", "--list").Out;
        var names = IcnnLift.Studies.Reproduction.Catalog.All.Select(e => e.Name).ToList();
        Assert.All(names, name => Assert.Contains(name, list));
        Assert.Equal(names.Order(), Experiments.Select(row => (string)row[0]).Order());
    }

    [Theory]
    [MemberData(nameof(Experiments))]
    public void Each_experiment_runs_in_quick_form_and_the_report_gives_it_a_verdict(string name, string[] expected)
    {
        var root = Path.Combine(Folder, "all");
        var (code, _, err) = Run("reproduce", name, "--quick", "--out", root, "--digits", FakeDigits("digits", 60));
        Assert.True(code == 0, $"{name}: {err}");
        var (reportCode, stdout, _) = Run("report", "--out", root);
        Assert.Equal(0, reportCode);
        var verdicts = stdout.Split('\n').Where(l => l.Contains(name, StringComparison.Ordinal)).ToList();
        Assert.DoesNotContain(verdicts, l => l.Contains("not run", StringComparison.Ordinal));
        var markdown = File.ReadAllText(Path.Combine(root, "report.md"));
        Assert.All(expected, e => Assert.Contains(e, markdown));
        if (name == "mnist-latents") Assert.True(File.Exists(Path.Combine(root, "mnist-latents", "inputs", "autoencoder.pt")));
    }

    [Fact]
    public void Compare_gives_the_same_numbers_whatever_the_number_of_side_by_side_runs()
    {
        string[] Runs(string threads)
        {
            var output = Path.Combine(Folder, "t" + threads);
            Assert.Equal(0, Run(["compare", "--target", "gumbel", "--methods", "softplus,lift", "--seeds", "2", "--threads", threads, "--out", output,
                .. Quick]).Code);
            // Drop the wall-clock column.
            var lines = File.ReadAllLines(Path.Combine(output, "runs.csv"));
            int seconds = Array.IndexOf(lines[0].Split(','), "seconds");
            return lines.Select(l => string.Join(",", l.Split(',').Where((_, i) => i != seconds))).ToArray();
        }
        Assert.Equal(Runs("1"), Runs("2"));
    }

    [Fact]
    public void A_users_csv_trains_in_2d()
    {
        var rng = new Random(1);
        var rows = string.Join("\n", Enumerable.Range(0, 100).Select(_ => $"{rng.NextDouble():R},{rng.NextDouble() * 2:R}"));
        var output = Path.Combine(Folder, "csvrun");
        var (code, _, err) = Run(["train", "--data", Csv("a,b\n" + rows), "--method", "pgd", "--out", output, .. Quick]);
        Assert.True(code == 0, err);
        Assert.True(File.Exists(Path.Combine(output, "model.pt")));
    }
}
