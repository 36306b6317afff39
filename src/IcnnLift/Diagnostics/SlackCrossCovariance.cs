using IcnnLift.Positivity;
using TorchSharp;
using static TorchSharp.torch;

namespace IcnnLift.Diagnostics;

/// <summary>
/// The slack-channel cross-covariance (DESIGN section 1) over a trailing window of T iterations:
/// Sigma = (1/T) sum_t (h_t - mean h)(g_t - mean g)^T on the shoulder coordinates, with g_t = dL/db the
/// slack's gradient and h_t the body's batch noise, h_phi(X_t) - h_phi(X_ref) with X_ref a fixed reference
/// batch. Subtracting the body at a fixed batch keeps only what the batch contributes: a body that does
/// not see the batch gives exactly zero, however its parameters drift over the window, and so do a
/// missing body (zero) and a missing slack (zero gradient). Those are the three deletions' structural zeros.
/// ||Sigma||_F comes from the two T x T Gram matrices of the centred windows, never from the N x N Sigma:
/// ||Hc^T Gc||_F^2 = sum_st (Hc Hc^T)_st (Gc Gc^T)_st.
/// </summary>
public sealed class SlackCrossCovariance : IDisposable
{
    private readonly SoftplusReadout _readout;
    private readonly Tensor _reference;
    private readonly Tensor _bodyNoise;
    private readonly Tensor _slackGradient;
    private readonly Tensor _lastPreReadout;
    private readonly double _threshold;
    private readonly bool _hasChannel;
    private int _recorded;

    /// <param name="readout">The strategy whose slack channel is watched.</param>
    /// <param name="reference">The fixed batch X_ref the body's noise is measured against.</param>
    /// <param name="window">T, the trailing window's length in iterations.</param>
    /// <param name="sigma">The shoulder level sigma_s.</param>
    public SlackCrossCovariance(SoftplusReadout readout, Tensor reference, int window, double sigma = Shoulder.DefaultSigma)
    {
        if (window < 2) throw new ArgumentException($"the cross-covariance window must be at least 2 iterations, got {window}");
        _readout = readout;
        _reference = reference.detach().clone().DetachFromDisposeScope();
        // float32 windows: the reading is two T x T Gram products over the shoulder columns, memory-bound.
        _bodyNoise = zeros(window, readout.Count, ScalarType.Float32).DetachFromDisposeScope();
        _slackGradient = zeros(window, readout.Count, ScalarType.Float32).DetachFromDisposeScope();
        _lastPreReadout = zeros(readout.Count, ScalarType.Float32).DetachFromDisposeScope();
        _threshold = Shoulder.Threshold(sigma);
        using (NewDisposeScope())
        using (no_grad())
            _hasChannel = readout.Slack is not null && readout.Body(reference) is not null;
        Window = window;
    }

    /// <summary>Trailing window T in iterations.</summary>
    public int Window { get; }

    /// <summary>True once the window holds T iterations.</summary>
    public bool Full => _recorded >= Window;

    /// <summary>Records iteration t: call after the backward pass (the slack's gradient is read) and before
    /// the optimiser step (the body is evaluated at the parameters that made the step's weights).</summary>
    public void Record(Tensor batch, Tensor preReadout)
    {
        using var scope = NewDisposeScope();
        using var _ = no_grad();
        int row = _recorded % Window;
        _recorded++;
        _lastPreReadout.copy_(preReadout);
        // Without a body or without a slack, h or g is zero by construction: nothing to record.
        if (!_hasChannel) return;
        _bodyNoise[row].copy_(_readout.Body(batch)! - _readout.Body(_reference)!);
        _slackGradient[row].copy_(_readout.Slack!.grad ?? zeros(_readout.Count));
    }

    /// <summary>||Sigma||_F over the window, on the coordinates in the shoulder at the last recorded iteration
    /// (0 when none is, or when the strategy has no body or no slack); NaN until the window is full.</summary>
    public double Frobenius()
    {
        if (!Full) return double.NaN;
        if (!_hasChannel) return 0;
        using var scope = NewDisposeScope();
        var shoulder = _lastPreReadout.lt(_threshold).nonzero().squeeze(1);
        return Frobenius(_bodyNoise.index_select(1, shoulder), _slackGradient.index_select(1, shoulder));
    }

    /// <summary>||(1/T) Hc^T Gc||_F for windows <paramref name="h"/> and <paramref name="g"/> [T, N] (rows are
    /// iterations), from their T x T Gram matrices, in the windows' precision.</summary>
    public static double Frobenius(Tensor h, Tensor g)
    {
        using var scope = NewDisposeScope();
        long t = h.shape[0];
        var hc = h - h.mean([0], keepdim: true);
        var gc = g - g.mean([0], keepdim: true);
        double squared = (hc.matmul(hc.T) * gc.matmul(gc.T)).to_type(ScalarType.Float64).sum().ToDouble();
        return Math.Sqrt(Math.Max(squared, 0)) / t;
    }

    /// <inheritdoc/>
    public void Dispose()
    {
        _reference.Dispose();
        _bodyNoise.Dispose();
        _slackGradient.Dispose();
        _lastPreReadout.Dispose();
    }
}
