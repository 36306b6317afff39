using IcnnLift.Data;
using IcnnLift.Density;
using IcnnLift.Positivity;
using IcnnLift.Runtime;
using IcnnLift.Training;
using static TorchSharp.torch;

TorchRuntime.Initialize(threads: 1); // once, before the first tensor

// Your samples, one row a sample (here 2,000 draws of a standard Gumbel), shuffled and split 80/10/10 by the seed.
var random = new Random(7);
double[][] samples = Enumerable.Range(0, 2000).Select(_ => new[] { -Math.Log(-Math.Log(random.NextDouble())) }).ToArray();
var data = Dataset.FromSamples("my-samples", samples, seed: 0);

// A log-concave density exp(-E(x)) / Z with E an input-convex network whose weights the lift makes.
var config = new TrainConfig { Method = PositivityMethod.Lift, Steps = 500 };
var trained = Trainer.Train(config, data);
Console.WriteLine($"test NLL {trained.Result.TestNll:F4} nats (best validation at step {trained.Result.BestStep})");

using var points = tensor(new float[,] { { -1 }, { 0 }, { 2 } });
Console.WriteLine($"log p at -1, 0, 2: {string.Join(", ", trained.Model.LogDensityValues(points).Select(v => v.ToString("F4")))}");

// Save (config.json, metrics.csv, result.json, model.pt, model.safetensors) and load it back.
var folder = Path.Combine(Path.GetTempPath(), $"quickstart-{Guid.NewGuid():N}");
RunFolder.Write(folder, config, trained);
var loaded = RunFolder.Load(folder).Model;
Console.WriteLine($"loaded from {folder}: {string.Join(", ", loaded.LogDensityValues(points).Select(v => v.ToString("F4")))}");
