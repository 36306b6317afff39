using static TorchSharp.torch;

namespace IcnnLift.Density;

/// <summary>How an energy model gets log Z = log integral exp(-E): from the energies at a set of points.</summary>
public interface ILogNormalizer
{
    /// <summary>Input dimension d.</summary>
    int Dimension { get; }

    /// <summary>Where the energy is evaluated for log Z [M, d]: a quadrature grid or a proposal's draws.</summary>
    Tensor Points { get; }

    /// <summary>log Z from the energies at <see cref="Points"/> [M]; differentiable in them.</summary>
    Tensor LogZ(Tensor energies);
}
