using System.Diagnostics;
using System.Globalization;
using IcnnLift.Convex;
using IcnnLift.Data;
using IcnnLift.Density;
using IcnnLift.Diagnostics;
using IcnnLift.Flows;
using IcnnLift.Positivity;
using IcnnLift.Runtime;
using IcnnLift.Studies;
using IcnnLift.Training;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

// Training-step timings, measured in one process so that the ratios share the machine's state:
// every variant runs in interleaved rounds; times are medians over rounds, ratios medians of per-round ratios.
//   dotnet run -c Release --project bench/IcnnLift.Benchmarks [-- --rounds 7 --steps 100 --section N (one section)]
TorchRuntime.Initialize(1);
const string MemoryChild = "--memory-child", TrainingChild = "--training-child"; // the arguments that make this program a child
if (args.Contains(TrainingChild))
{
    // Section 10's child: section 10's training, warmed up, then three runs timed; prints their seconds.
    var (config, data) = SweepRun();
    Trainer.Train(config, data.ForSeed(0), data.Target);
    var clock = Stopwatch.StartNew();
    for (int s = 1; s <= 3; s++) Trainer.Train(config with { Seed = s }, data.ForSeed(s), data.Target);
    Console.WriteLine(clock.Elapsed.TotalSeconds.ToString(CultureInfo.InvariantCulture));
    return;
}
if (args.Contains(MemoryChild))
{
    // Section 9's child: one 21-D flow run as `train --task flow --target tabular-21d --method lift --steps 200` makes it.
    var target = IcnnLift.Targets.Target.Get("tabular-21d");
    Trainer.Train(new TrainConfig { Task = DensityTask.Flow, Method = PositivityMethod.Lift, Steps = 200 },
        Dataset.FromTarget(target, 1000, 1000, 5000, seed: 0), target);
    Console.WriteLine(Process.GetCurrentProcess().PeakWorkingSet64);
    return;
}
int rounds = ArgOr("--rounds", 7), stepsPerRound = ArgOr("--steps", 100), only = ArgOr("--section", 0);
bool Section(int n) => only == 0 || only == n;
const int Width = 64, Depth = 4, Batch = 256;

Console.WriteLine($"ms per step (median of {rounds} interleaved rounds); width {Width}, depth {Depth}, batch {Batch}, 1 libtorch thread");
if (Section(1))
{
    Console.WriteLine();
    Console.WriteLine("1. training step, loss = mean energy of the batch (the part every task shares)");
    Console.WriteLine($"{"d",3} {"variant",-26} {"ms/step",8} {"vs minimal",11} {"vs softplus",12}");
    foreach (int d in new[] { 1, 21 })
    {
        var data = Data(d);
        var variants = new List<(string, Action)> { ("minimal TorchSharp loop", MinimalLoop(d, data)) };
        variants.AddRange(Enum.GetValues<PositivityMethod>().Select(m => (Choice.Name(m), LibraryStep(m, d, data, net => x => net.forward(x).mean()))));
        var times = Measure(variants, rounds, stepsPerRound);
        foreach (var (name, _) in variants)
            Console.WriteLine(FormattableString.Invariant(
                $"{d,3} {name,-26} {Median(times[name]),8:F3} {Ratio(times, name, "minimal TorchSharp loop"),10:F2}x {Ratio(times, name, "softplus"),11:F2}x"));
    }
}

if (Section(2))
{
    Console.WriteLine();
    Console.WriteLine("2. log-concave EBM step, NLL with the quadrature normaliser (default grid: 512 points in 1-D, 64^2 in 2-D); the batch and the "
        + "grid go through the network together, so the cost per row evaluated says whether the grid costs more than its rows");
    Console.WriteLine($"{"d",3} {"variant",-26} {"ms/step",8} {"vs softplus",12} {"us/row",7}");
    foreach (int d in new[] { 1, 2 })
    {
        var data = Data(d);
        var grid = QuadratureNormalizer.Covering(data).Use(ScalarType.Float32);
        int rows = Batch + grid.Points.Length;
        var variants = new[] { PositivityMethod.Pgd, PositivityMethod.Softplus, PositivityMethod.Lift }
            .Select(m => (Choice.Name(m), LibraryStep(m, d, data, net => new LogConcaveDensity(net, grid).Nll))).ToList();
        var times = Measure(variants, rounds, stepsPerRound / 4);
        foreach (var (name, _) in variants)
            Console.WriteLine(FormattableString.Invariant(
                $"{d,3} {name,-26} {Median(times[name]),8:F3} {Ratio(times, name, "softplus"),11:F2}x {Median(times[name]) * 1000 / rows,7:F2}"));
    }
}

if (Section(3))
{
    Console.WriteLine();
    Console.WriteLine("3. Hessian of the ICNN at a batch, with a backward pass through its log-determinant (float32)");
    Console.WriteLine($"{"d",3} {"variant",-34} {"ms/step",8} {"vs autograd",12}");
    foreach (int d in new[] { 6, 21 })
    {
        var net = new InputConvexNetwork(new IcnnSpec(d, Width, Depth, Alpha: 0.1), new Generator(3));
        var x = Data(d).narrow(0, 0, Batch);
        Action Run(Func<Tensor, Tensor> hessian) => () =>
        {
            using var scope = NewDisposeScope();
            net.zero_grad();
            ConvexPotentialFlow.LogDetSpd(hessian(x)).mean().backward();
        };
        // The parts of the closed form, and the matrix products alone that any reverse-mode pass through the
        // Jacobians must do: each layer's Jacobian product [n d, H] x [H, H] three times (forward, and the two of
        // its backward) and each layer's J^T diag(c) J three times (n products of [d, H] x [H, d]).
        var hessianAt = net.Derivatives(x).Hessian.detach().DetachFromDisposeScope();
        var leaf = hessianAt.clone().requires_grad_(true);
        var (jacobian, square) = (randn(Batch * d, Width), randn(Width, Width));
        var (left, right) = (randn(Batch, d, Width), randn(Batch, Width, d));
        var variants = new List<(string, Action)>
        {
            ("autograd, one pass per x_i", Run(p => AutogradHessian(net, p))),
            ("closed form (Derivatives)", Run(p => net.Derivatives(p).Hessian)),
            ("  its forward only", () => { using var scope = NewDisposeScope(); using var _ = no_grad(); net.Derivatives(x); }),
            ("  log-det and its backward", () =>
            {
                using var scope = NewDisposeScope();
                ConvexPotentialFlow.LogDetSpd(leaf).mean().backward();
                leaf.grad!.zero_();
            }),
            ("  matrix products alone", () =>
            {
                using var scope = NewDisposeScope();
                for (int i = 0; i < 3 * (Depth - 1); i++) jacobian.matmul(square);
                for (int i = 0; i < 3 * Depth; i++) left.bmm(right);
            }),
        };
        var times = Measure(variants, rounds, 5);
        foreach (var (name, _) in variants)
            Console.WriteLine(FormattableString.Invariant(
                $"{d,3} {name,-34} {Median(times[name]),8:F3} {Ratio(times, name, "autograd, one pass per x_i"),11:F2}x"));
        double Faster(string name) => 1 / Ratio(times, name, "autograd, one pass per x_i");
        Console.WriteLine(FormattableString.Invariant(
            $"    closed form {Faster("closed form (Derivatives)"):F1}x faster than autograd (target 5x); its matrix products alone: {Faster("  matrix products alone"):F1}x"));
    }
}

if (Section(4))
{
    Console.WriteLine();
    Console.WriteLine("4. convex-potential flow step (1 block; exact log-determinant up to d = 21, stochastic at d = 64)");
    Console.WriteLine($"{"d",3} {"variant",-26} {"ms/step",8} {"vs softplus",12}");
    foreach (int d in new[] { 2, 6, 21, 64 })
    {
        var data = Data(d);
        var options = new FlowOptions(d > 21 ? LogDetMethod.Stochastic : LogDetMethod.Exact);
        var variants = new[] { PositivityMethod.Softplus, PositivityMethod.Lift }
            .Select(m => (Choice.Name(m), FlowStep(m, d, data, options))).ToList();
        var times = Measure(variants, rounds, stepsPerRound / 10);
        foreach (var (name, _) in variants)
            Console.WriteLine(FormattableString.Invariant($"{d,3} {name,-26} {Median(times[name]),8:F3} {Ratio(times, name, "softplus"),11:F2}x"));
    }
}

if (Section(5))
{
    Console.WriteLine();
    Console.WriteLine("5. diagnostics on a 1-D EBM step (quadrature): shoulder occupancy, and the slack-channel cross-covariance "
        + "(window 50, read every 50 steps)");
    Console.WriteLine($"{"d",3} {"variant",-34} {"ms/step",8} {"vs off",8}");
    {
        var data = Data(1);
        var grid = QuadratureNormalizer.Covering(data).Use(ScalarType.Float32);
        foreach (var method in new[] { PositivityMethod.Softplus, PositivityMethod.Lift })
        {
            var variants = new List<(string, Action)>
            {
                ($"{Choice.Name(method)}, diagnostics off", LibraryStep(method, 1, data, net => new LogConcaveDensity(net, grid).Nll, shoulder: null)),
                ($"{Choice.Name(method)}, occupancy", LibraryStep(method, 1, data, net => new LogConcaveDensity(net, grid).Nll)),
                ($"{Choice.Name(method)}, occupancy + cross-covariance",
                    LibraryStep(method, 1, data, net => new LogConcaveDensity(net, grid).Nll, crossCovariance: true)),
                ($"{Choice.Name(method)}, read every step",
                    LibraryStep(method, 1, data, net => new LogConcaveDensity(net, grid).Nll, crossCovariance: true, readEvery: 1)),
            };
            var times = Measure(variants, rounds, stepsPerRound / 2);
            foreach (var (name, _) in variants)
                Console.WriteLine(FormattableString.Invariant($"{1,3} {name,-34} {Median(times[name]),8:F3} {Ratio(times, name, variants[0].Item1),7:F2}x"));
        }
        // Landscape grid: points of a plane through a trained-for-nothing lift, constrained and lifted space.
        var g = new Generator(3);
        var network = new InputConvexNetwork(new IcnnSpec(1, Width, Depth), g);
        var model = PositiveNetwork.Wrap(network, PositivityMethod.Lift, 1, new LiftOptions(HeadScale: 0.1), g);
        var density = new LogConcaveDensity(network, grid);
        var reference = data.narrow(0, 0, 1024);
        foreach (var space in new[] { ParameterSpace.Constrained(model, reference), ParameterSpace.Lifted(model, reference) })
        {
            var origin = space.Read();
            var plane = LandscapePlane.Through(origin, origin + randn(origin.shape[0], ScalarType.Float64, generator: g), space.Blocks, g);
            var axis = LossLandscape.Range(-1, 1, 15);
            var landscape = LossLandscape.Evaluate(space, plane, () => density.NllValue(data), axis, axis);
            Console.WriteLine(FormattableString.Invariant(
                $"landscape, {space.Name} space: {landscape.PointsPerSecond:F0} grid points/s (loss on 4,096 rows + 512 quadrature points)"));
        }
    }
}

if (Section(6))
{
    Console.WriteLine();
    Console.WriteLine("6. log-concave EBM step with the importance-sampling normaliser (2,048 draws, proposal refitted every step)");
    Console.WriteLine($"{"d",3} {"variant",-26} {"ms/step",8} {"vs softplus",12}");
    foreach (int d in new[] { 6, 21, 32 })
    {
        var data = Data(d);
        // As the trainer runs it for d > 2 (importance-sampling normaliser refitted every step).
        var variants = new[] { PositivityMethod.Softplus, PositivityMethod.Lift }
            .Select(m => (Choice.Name(m), PresetStep(new TrainConfig { Method = m, Width = Width, Depth = Depth }, d, data))).ToList();
        var times = Measure(variants, rounds, stepsPerRound / 10);
        foreach (var (name, _) in variants)
            Console.WriteLine(FormattableString.Invariant($"{d,3} {name,-26} {Median(times[name]),8:F3} {Ratio(times, name, "softplus"),11:F2}x"));
    }
}

if (Section(7))
{
    Console.WriteLine();
    Console.WriteLine("7. the lift's cost by hypernetwork size (training step, loss = mean energy; small: encoder 32, decoder 8; paper: 256, 128)");
    Console.WriteLine($"{"d",3} {"variant",-26} {"ms/step",8} {"vs softplus",12}");
    foreach (int d in new[] { 1, 21 })
    {
        var data = Data(d);
        var small = LiftOptions.Preset(HypernetworkSize.Small);
        var paper = LiftOptions.Preset(HypernetworkSize.Paper);
        Func<InputConvexNetwork, Func<Tensor, Tensor>> meanEnergy = net => x => net.forward(x).mean();
        var variants = new List<(string, Action)>
        {
            ("softplus", LibraryStep(PositivityMethod.Softplus, d, data, meanEnergy)),
            ("lift, small", LibraryStep(PositivityMethod.Lift, d, data, meanEnergy, lift: small)),
            ("lift, paper", LibraryStep(PositivityMethod.Lift, d, data, meanEnergy, lift: paper)),
            ("lift-fixed, small", LibraryStep(PositivityMethod.LiftFixed, d, data, meanEnergy, lift: small)),
            ("lift-fixed, paper", LibraryStep(PositivityMethod.LiftFixed, d, data, meanEnergy, lift: paper)),
        };
        var times = Measure(variants, rounds, stepsPerRound);
        foreach (var (name, _) in variants)
            Console.WriteLine(FormattableString.Invariant($"{d,3} {name,-26} {Median(times[name]),8:F3} {Ratio(times, name, "softplus"),11:F2}x"));
    }
}

if (Section(8))
{
    Console.WriteLine();
    Console.WriteLine("8. the presets' flow step (--preset cpflow-toy at d = 2: depth 20, width 32, batch 128; cpflow-tabular at d = 21: 4 blocks, depth 5, "
        + "width 128, batch 256)");
    Console.WriteLine($"{"d",3} {"variant",-26} {"ms/step",8} {"vs pgd",8}");
    foreach (var (preset, d) in new[] { (Preset.CpflowToy, 2), (Preset.CpflowTabular, 21) })
    {
        var data = Data(d);
        var variants = new[] { PositivityMethod.Pgd, PositivityMethod.Softplus, PositivityMethod.Lift }
            .Select(m => ($"{Choice.Name(preset)}, {Choice.Name(m)}", PresetStep(Presets.Of(preset).Config with { Method = m }, d, data))).ToList();
        var times = Measure(variants, rounds, stepsPerRound / 10);
        foreach (var (name, _) in variants)
            Console.WriteLine(FormattableString.Invariant($"{d,3} {name,-26} {Median(times[name]),8:F3} {Ratio(times, name, variants[0].Item1),7:F2}x"));
    }
}
if (Section(9))
{
    Console.WriteLine();
    Console.WriteLine("9. peak resident memory of one 21-D flow run (lift, 200 steps, the CLI's default splits: 1,000 / 1,000 / 5,000), in a process "
        + "of its own");
    var peak = long.Parse(ChildResults(MemoryChild, 1)[0], CultureInfo.InvariantCulture);
    Console.WriteLine(FormattableString.Invariant($"peak RSS {peak / (1 << 20)} MiB (target: under 500 MiB)"));
}
if (Section(10))
{
    Console.WriteLine();
    Console.WriteLine("10. sweeps through worker processes (the command line's own `job` worker): 12 runs of a 1-D energy model, 400 steps each");
    var program = Path.Combine(AppContext.BaseDirectory.Replace(Path.Combine("bench", "IcnnLift.Benchmarks"), Path.Combine("src", "IcnnLift.Cli")),
        "icnn-lift.dll");
    if (!File.Exists(program)) throw new FileNotFoundException($"{program}: build the command line first (dotnet build -c Release)");
    string[] worker = [ProcessRunExecutor.DotnetHost(), program, "job"];
    var folder = Directory.CreateTempSubdirectory("icnn-lift-bench-");
    var (config, data) = SweepRun();
    int n = 12, batch = 0;
    List<JobSpec> Jobs()
    {
        batch++;
        return Enumerable.Range(0, n).Select(s => new JobSpec(config with { Seed = s }, data, Path.Combine(folder.FullName, $"{batch}-{s}"))).ToList();
    }
    double Seconds(Action run)
    {
        var clock = Stopwatch.StartNew();
        run();
        return clock.Elapsed.TotalSeconds;
    }
    void Sweep(IReadOnlyList<JobSpec> jobs, int parallelism) =>
        new ProcessRunExecutor(worker, (_, _, work) => work(_ => { }), CancellationToken.None).RunAll("bench", jobs, parallelism);
    // The training alone, in a plain process after its warm-up (what a run costs with no process around it), and the
    // machine's own ceiling: two such processes side by side, with no executor.
    double Slowest(int count) => ChildResults(TrainingChild, count).Max(t => double.Parse(t, CultureInfo.InvariantCulture)) / 3;
    double alone = Slowest(1), sideBySide = Slowest(2);
    double perProcess = Seconds(() => { foreach (var job in Jobs()) Sweep([job], 1); }); // a new worker for each run, as before
    double one = Seconds(() => Sweep(Jobs(), 1)), two = Seconds(() => Sweep(Jobs(), 2));
    string Line(string what, double seconds) => FormattableString.Invariant($"{what}: {seconds / n:F2} s a run, overhead {seconds / n - alone:F2} s");
    Console.WriteLine(FormattableString.Invariant($"training alone, in a plain process after its warm-up: {alone:F2} s a run"));
    Console.WriteLine(Line("a new process a run, one at a time", perProcess));
    Console.WriteLine(Line("long-lived worker, one at a time", one) + " (target under 0.2 s)");
    Console.WriteLine(FormattableString.Invariant(
        $"two long-lived workers side by side: {one / two:F2}x one at a time (target at least 1.8x), {perProcess / two:F2}x a new process a run"));
    Console.WriteLine(FormattableString.Invariant(
        $"the machine's ceiling, two plain processes side by side after their warm-up: {2 * alone / sideBySide:F2}x one alone"));
    folder.Delete(recursive: true);
}
Console.WriteLine($"peak resident memory: {Process.GetCurrentProcess().PeakWorkingSet64 / (1 << 20)} MiB");

// The last line each of `count` copies of this program prints, run side by side with `argument` (sections 9 and 10's
// children); started as `dotnet IcnnLift.Benchmarks.dll` or as its own executable.
static string[] ChildResults(string argument, int count)
{
    var start = new ProcessStartInfo(Environment.ProcessPath!) { RedirectStandardOutput = true };
    if (Path.GetFileNameWithoutExtension(Environment.ProcessPath) == "dotnet") start.ArgumentList.Add(System.Reflection.Assembly.GetEntryAssembly()!.Location);
    start.ArgumentList.Add(argument);
    var children = Enumerable.Range(0, count).Select(_ => Process.Start(start)!).ToList();
    return children.Select(child =>
    {
        var last = child.StandardOutput.ReadToEnd().Trim().Split('\n')[^1];
        child.WaitForExit();
        child.Dispose();
        return last;
    }).ToArray();
}

// Section 10's run: a 1-D energy model, 400 steps.
static (TrainConfig Config, DataSource Data) SweepRun() => (new TrainConfig { Steps = 400 }, new DataSource("gumbel", null));

static Tensor Data(int d) => randn([4096, d], generator: new Generator(1)).DetachFromDisposeScope();

static Dictionary<string, List<double>> Measure(IReadOnlyList<(string Name, Action Step)> variants, int rounds, int steps)
{
    var times = variants.ToDictionary(v => v.Name, _ => new List<double>());
    foreach (var (_, step) in variants) for (int i = 0; i < Math.Max(3, steps / 3); i++) step(); // warm-up
    for (int r = 0; r < rounds; r++)
        foreach (var (name, step) in variants)
        {
            var clock = Stopwatch.StartNew();
            for (int i = 0; i < steps; i++) step();
            times[name].Add(clock.Elapsed.TotalMilliseconds / steps);
        }
    return times;
}

static double Median(IEnumerable<double> values)
{
    var sorted = values.Order().ToArray();
    return sorted[sorted.Length / 2];
}

// Ratios are taken within each round (the variants of a round ran back to back on the same machine state),
// then the median over rounds: steadier than a ratio of medians when the machine's speed drifts.
static double Ratio(Dictionary<string, List<double>> times, string name, string reference) =>
    Median(times[name].Zip(times[reference], (a, b) => a / b));

static int ArgOr(string name, int fallback)
{
    var args = Environment.GetCommandLineArgs();
    int i = Array.IndexOf(args, name);
    return i >= 0 && i + 1 < args.Length ? int.Parse(args[i + 1], CultureInfo.InvariantCulture) : fallback;
}

static Func<Tensor> Batches(Tensor data, int batch = Batch)
{
    var g = new Generator(2);
    return () => data.index_select(0, randint(0, data.shape[0], [batch], generator: g));
}

// A training step of the model a configuration names (an energy model or a flow), built and optimised as the trainer does it.
static Action PresetStep(TrainConfig config, int d, Tensor data)
{
    var g = new Generator(3);
    var density = DensityModels.Create(config, d, g, data);
    var model = PositiveNetwork.Wrap(density.Module, config.Method, d, config.Lift, g);
    var optimizer = Trainer.CreateOptimizer(model, config);
    var next = Batches(data, config.BatchSize);
    return () =>
    {
        using var scope = NewDisposeScope();
        Trainer.Step(model, optimizer, next(), density.TrainingLoss);
    };
}

// The library's own training step (Trainer.Step) for one positivity method and objective, with the shoulder
// occupancy (null: off) and optionally the cross-covariance recorded every step and read every 25th (the default).
static Action LibraryStep(PositivityMethod method, int d, Tensor data, Func<InputConvexNetwork, Func<Tensor, Tensor>> objectiveFor,
    double? shoulder = Shoulder.DefaultSigma, bool crossCovariance = false, int readEvery = 50, LiftOptions? lift = null)
{
    var g = new Generator(3);
    var network = new InputConvexNetwork(new IcnnSpec(d, Width, Depth), g);
    // lift-fixed conditions on the data's first batch; every other method ignores it.
    var model = PositiveNetwork.Wrap(network, method, d, lift ?? new LiftOptions(), g, data.narrow(0, 0, Batch));
    var optimizer = Trainer.CreateOptimizer(model, new TrainConfig { Method = method });
    var objective = objectiveFor(network);
    var next = Batches(data);
    var slack = crossCovariance ? new SlackCrossCovariance((SoftplusReadout)model.Strategy, data.narrow(0, 0, Trainer.CrossCovarianceReferenceRows), 50) : null;
    int step = 0;
    return () =>
    {
        using var scope = NewDisposeScope();
        Trainer.Step(model, optimizer, next(), objective, shoulder, slack);
        if (slack is { Full: true } && ++step % readEvery == 0) slack.Frobenius();
    };
}

static Action FlowStep(PositivityMethod method, int d, Tensor data, FlowOptions options)
{
    var g = new Generator(3);
    var flow = new ConvexPotentialFlow(new IcnnSpec(d, Width, Depth), 1, g, options: options);
    flow.InitializeFrom(data);
    var model = PositiveNetwork.Wrap(flow, method, d, new LiftOptions(), g);
    var optimizer = Trainer.CreateOptimizer(model, new TrainConfig { Method = method });
    var next = Batches(data);
    return () =>
    {
        using var scope = NewDisposeScope();
        Trainer.Step(model, optimizer, next(), flow.TrainingLoss);
    };
}

// The straightforward Hessian: one autograd pass per input coordinate, graph kept for the backward pass.
static Tensor AutogradHessian(InputConvexNetwork net, Tensor x)
{
    var input = x.detach().requires_grad_(true);
    var gradient = autograd.grad([net.forward(input).sum()], [input], create_graph: true, retain_graph: true)[0];
    var rows = Enumerable.Range(0, (int)x.shape[1])
        .Select(i => autograd.grad([gradient[.., i].sum()], [input], create_graph: true, retain_graph: true)[0]).ToArray();
    return stack(rows, 1);
}

// The same network and direct softplus written out by hand: what a TorchSharp user would write with no library.
static Action MinimalLoop(int d, Tensor data)
{
    var g = new Generator(3);
    var parameters = new List<Parameter>();
    Parameter P(Tensor t) { var p = new Parameter(t.DetachFromDisposeScope()); parameters.Add(p); return p; }
    var a = Enumerable.Range(0, Depth + 1).Select(l => (W: P(randn([l == Depth ? 1 : Width, d], generator: g) * 0.1),
        B: P(zeros(l == Depth ? 1 : Width)))).ToArray();
    var t = Enumerable.Range(1, Depth).Select(l => P(full([l == Depth ? 1 : Width, Width], -3.0))).ToArray();
    var optimizer = optim.Adam(parameters, 5e-3);
    var next = Batches(data);
    return () =>
    {
        using var scope = NewDisposeScope();
        var x = next();
        var z = nn.functional.softplus(nn.functional.linear(x, a[0].W, a[0].B));
        for (int l = 1; l < Depth; l++)
            z = nn.functional.softplus(nn.functional.linear(z, nn.functional.softplus(t[l - 1])) + nn.functional.linear(x, a[l].W, a[l].B));
        var energy = nn.functional.linear(z, nn.functional.softplus(t[Depth - 1])).squeeze(-1) + nn.functional.linear(x, a[Depth].W, a[Depth].B).squeeze(-1)
            + x.square().sum(-1) * 0.005;
        var loss = energy.mean();
        optimizer.zero_grad();
        loss.backward();
        optimizer.step();
    };
}
