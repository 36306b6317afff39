using IcnnLift.Data;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace IcnnLift.Images;

/// <summary>
/// A fully connected autoencoder for 28 x 28 digits: 784 -> 256 -> latent (linear) -> 256 -> 784 (sigmoid),
/// trained by binary cross-entropy. Its latents are where the per-class density models live.
/// </summary>
public sealed class Autoencoder : nn.Module<Tensor, Tensor>
{
    private readonly Sequential _encoder;
    private readonly Sequential _decoder;

    /// <summary>A fresh autoencoder whose initial weights come from <paramref name="seed"/> (via torch's global generator:
    /// call it from the one thread that uses torch).</summary>
    public static Autoencoder Create(int seed, int latent = 32)
    {
        manual_seed(seed);
        return new Autoencoder(latent);
    }

    /// <summary>An autoencoder of MNIST images to <paramref name="latent"/> dimensions through <paramref name="hidden"/> hidden units.</summary>
    public Autoencoder(int latent = 32, int hidden = 256) : base("autoencoder")
    {
        Latent = latent;
        _encoder = nn.Sequential(nn.Linear(Digits.Pixels, hidden), nn.ReLU(), nn.Linear(hidden, latent));
        _decoder = nn.Sequential(nn.Linear(latent, hidden), nn.ReLU(), nn.Linear(hidden, Digits.Pixels), nn.Sigmoid());
        RegisterComponents();
    }

    /// <summary>Latent dimension.</summary>
    public int Latent { get; }

    /// <summary>Latent codes of images [n, pixels].</summary>
    public Tensor Encode(Tensor images) => _encoder.forward(images);

    /// <summary>Images of latent codes [n, latent].</summary>
    public Tensor Decode(Tensor latents) => _decoder.forward(latents);

    /// <summary>The reconstruction of images [n, pixels].</summary>
    public override Tensor forward(Tensor images) => Decode(Encode(images));

    /// <summary>Adam on binary cross-entropy, shuffled mini-batches from <paramref name="seed"/>; returns the last epoch's mean loss.</summary>
    public double Train(Tensor images, int epochs, int batchSize, int seed, Action<int>? onEpoch = null)
    {
        var optimizer = optim.Adam(parameters(), 1e-3);
        var rng = new Random(seed);
        var order = Enumerable.Range(0, (int)images.shape[0]).ToArray();
        double last = double.NaN;
        for (int epoch = 0; epoch < epochs; epoch++)
        {
            rng.Shuffle(order);
            double total = 0;
            int batches = 0;
            for (int start = 0; start + batchSize <= order.Length; start += batchSize)
            {
                using var scope = NewDisposeScope();
                var batch = images.index_select(0, tensor(order[start..(start + batchSize)].Select(i => (long)i).ToArray()));
                var loss = nn.functional.binary_cross_entropy(forward(batch), batch);
                optimizer.zero_grad();
                loss.backward();
                optimizer.step();
                total += loss.ToDouble();
                batches++;
            }
            last = total / batches;
            onEpoch?.Invoke(epoch + 1);
        }
        return last;
    }
}
