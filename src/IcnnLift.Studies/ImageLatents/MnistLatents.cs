using IcnnLift.Data;
using IcnnLift.Images;
using static TorchSharp.torch;

namespace IcnnLift.Studies.ImageLatents;

/// <summary>
/// The data of the MNIST experiments (<c>icnn-lift mnist</c> and <c>reproduce mnist-latents</c>): an autoencoder to
/// 32-D latents, saved, and one CSV of standardised latents a digit class, which the density runs read as user data.
/// Call it from the one thread that uses torch.
/// </summary>
public static class MnistLatents
{
    public const int Latent = 32;

    public static string ClassFile(string folder, int digit) => Path.Combine(folder, "latents", $"class-{digit}.csv");

    /// <summary>Trains the autoencoder on all <paramref name="digits"/> and writes autoencoder.pt and latents/class-N.csv
    /// into <paramref name="folder"/>. Returns the autoencoder and its final reconstruction loss (binary cross-entropy).</summary>
    public static (Autoencoder Autoencoder, double Reconstruction) Write(IStudyHost host, Digits digits, int seed, int epochs, string folder)
    {
        var all = tensor(digits.Images.SelectMany(x => x).ToArray(), [digits.Images.Length, Digits.Pixels]);
        var autoencoder = Autoencoder.Create(seed, Latent);
        double reconstruction = autoencoder.Train(all, epochs, 128, seed, epoch =>
        {
            host.Cancellation.ThrowIfCancellationRequested();
            host.Say($"autoencoder: epoch {epoch} of {epochs}");
        });
        autoencoder.save(Path.Combine(folder, "autoencoder.pt"));
        double[][] latents;
        using (no_grad())
        {
            // Standardised with the statistics of all digits: one fixed affine map for every class and method (the
            // Gaussian included), so the NLLs compare; they are in standardised-latent units.
            var z = autoencoder.Encode(all).to_type(ScalarType.Float64);
            z = (z - z.mean([0])) / z.std(0);
            latents = Enumerable.Range(0, digits.Images.Length).Select(i => z[i].cpu().data<double>().ToArray()).ToArray();
        }
        Directory.CreateDirectory(Path.Combine(folder, "latents"));
        for (int c = 0; c < 10; c++)
            SampleCsv.Write(ClassFile(folder, c), Enumerable.Range(1, Latent).Select(j => $"z{j}").ToArray(), latents.Where((_, i) => digits.Labels[i] == c));
        return (autoencoder, reconstruction);
    }

    /// <summary>The first <paramref name="perClass"/> digits of each class (a small set for quick runs).</summary>
    public static Digits FirstOfEachClass(Digits digits, int perClass)
    {
        var keep = Enumerable.Range(0, digits.Labels.Length).GroupBy(i => digits.Labels[i]).SelectMany(g => g.Take(perClass)).Order().ToArray();
        return new Digits(keep.Select(i => digits.Images[i]).ToArray(), keep.Select(i => digits.Labels[i]).ToArray());
    }
}
