import _CGSL

/// Doubly-adaptive Clenshaw-Curtis quadrature of f on [lower, upper] by GSL's
/// `gsl_integration_cquad` (Gonnet 2010), through a `gsl_function` callback. Slow (a callback per
/// node) but independent of Neurodyn's own rules: the reference route in tests and anchors.
public func adaptiveIntegral(lower: Double, upper: Double, absoluteTolerance: Double = 0,
                             relativeTolerance: Double = 1e-13, _ f: (Double) -> Double) throws(GSLError) -> Double {
    installGSLErrorHandler()
    guard let workspace = gsl_integration_cquad_workspace_alloc(200) else {
        throw GSLError(status: Int32(GSL_ENOMEM), reason: "cannot allocate a cquad workspace")
    }
    defer { gsl_integration_cquad_workspace_free(workspace) }
    return try withoutActuallyEscaping(f) { (f) throws(GSLError) -> Double in
        final class Box {
            let f: (Double) -> Double
            init(_ f: @escaping (Double) -> Double) { self.f = f }
        }
        let box = Box(f)
        var function = gsl_function(
            function: { x, params in Unmanaged<Box>.fromOpaque(params!).takeUnretainedValue().f(x) },
            params: Unmanaged.passUnretained(box).toOpaque())
        var result = 0.0, error = 0.0
        var evaluations = 0
        let status = withExtendedLifetime(box) {
            gsl_integration_cquad(&function, lower, upper, absoluteTolerance, relativeTolerance, workspace,
                                  &result, &error, &evaluations)
        }
        try check(status)
        return result
    }
}
