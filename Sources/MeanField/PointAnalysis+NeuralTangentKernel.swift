import Foundation

/// The NTK at the NNGP's fixed point (q*, c*): where the kernel's recursion goes once the
/// pre-activations have reached it (Hayou et al. 2019, "Mean-field behaviour of the neural
/// tangent kernel"; Jacot et al. 2018 for the recursion).
///
/// With Sigma at its fixed point, Theta^{l+1} = Sigma + sigma_w^2 E[phi' phi'] Theta^l is affine:
/// - diagonal: Theta_11^{l+1} = q* + chi_1 Theta_11^l, growing by chi_1 a layer; for chi_1 < 1 it
///   tends to q*/(1 - chi_1), otherwise it grows without bound (linearly at chi_1 = 1);
/// - off-diagonal: Theta_12^{l+1} = q* c* + chi_c Theta_12^l, tending to q* c*/(1 - chi_c) for
///   |chi_c| < 1.
/// The NTK's correlation Theta_12/Theta_11 tends to 1 in the ordered phase (c* = 1, chi_c = chi_1),
/// its deviation shrinking like l chi_1^l: the depth scale is xi_c; in the chaotic phase Theta_11
/// grows like chi_1^l while Theta_12 stays bounded, so the correlation falls to 0 with depth
/// scale 1/ln chi_1 = |xi_grad|. At criticality both are infinite.
public struct NeuralTangentKernelAtFixedPoint: Sendable, Equatable {
    /// Theta_11's growth factor a layer: chi_1.
    public var diagonalGrowth: Double
    /// lim Theta_11 (nil when it grows without bound, chi_1 >= 1).
    public var diagonalLimit: Double?
    /// lim Theta_12 (nil when |chi_c| >= 1).
    public var offDiagonalLimit: Double?
    /// lim Theta_12 / Theta_11: 1 ordered, 0 chaotic, nil at criticality.
    public var correlationLimit: Double?
    /// Layers over which the NTK's correlation approaches its limit.
    public var correlationDepthScale: Double
}

extension PointAnalysis {
    public var neuralTangentKernel: NeuralTangentKernelAtFixedPoint {
        let diagonal = chi1 < 1 ? qStar / (1 - chi1) : nil
        let offDiagonal = Swift.abs(chiC) < 1 ? qStar * cStar / (1 - chiC) : nil
        switch phase {
        case .ordered:
            return .init(diagonalGrowth: chi1, diagonalLimit: diagonal, offDiagonalLimit: offDiagonal,
                         correlationLimit: 1, correlationDepthScale: xiC)
        case .chaotic:
            return .init(diagonalGrowth: chi1, diagonalLimit: nil, offDiagonalLimit: offDiagonal,
                         correlationLimit: 0, correlationDepthScale: 1 / Foundation.log(chi1))
        case .critical:
            return .init(diagonalGrowth: chi1, diagonalLimit: nil, offDiagonalLimit: nil,
                         correlationLimit: nil, correlationDepthScale: .infinity)
        }
    }
}
