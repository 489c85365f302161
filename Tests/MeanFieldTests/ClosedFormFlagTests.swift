import Activations
import MeanField
import Testing

/// hasClosedFormLength/hasClosedFormCross say exactly when the closed forms answer.
@Suite struct ClosedFormFlagTests {
    @Test func flagsMatchTheClosedForms() {
        for activation in Activation.builtins {
            #expect(activation.hasClosedFormLength == (activation.closedFormLength(q: 1) != nil), "\(activation)")
            #expect(activation.hasClosedFormCross == (activation.closedFormCross(q11: 1, q22: 2, c: 0.3) != nil), "\(activation)")
        }
    }
}
