"""circles-anode3 (DESIGN.md section 4) in plain Python, as an independent reference: prints the
checksums of the data and of the initial parameters that Tests/ResidualTests assert.

SplitMix64 as in DESIGN.md; next_double = (z >> 11) * 2^-53.
"""
import math

MASK = (1 << 64) - 1


class SplitMix64:
    def __init__(self, seed):
        self.state = seed & MASK

    def next(self):
        self.state = (self.state + 0x9E3779B97F4A7C15) & MASK
        z = self.state
        z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & MASK
        z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & MASK
        return z ^ (z >> 31)

    def next_double(self):
        return (self.next() >> 11) * 2.0 ** -53


def data():
    g = SplitMix64(20190909)
    points, labels = [], []
    for i in range(1000):
        label = i % 2
        theta = 2 * math.pi * g.next_double()
        r = (0.5 if label == 0 else 1.0) + 0.1 * (g.next_double() - 0.5)
        points.append((r * math.cos(theta), r * math.sin(theta), 0.0))
        labels.append(label)
    return points, labels


def parameters():
    g = SplitMix64(20181019)
    out = []
    for count, fan_in in ((96, 3), (32, 3), (96, 32), (3, 32), (6, 3), (2, 3)):
        out += [(2 * g.next_double() - 1) / math.sqrt(fan_in) for _ in range(count)]
    return out


if __name__ == "__main__":
    points, _ = data()
    flat = [x for p in points for x in p]
    print("sum of inputs", repr(sum(flat)))
    print("sum of |inputs|", repr(sum(abs(x) for x in flat)))
    print("first point", points[0])
    print("sum of the 235 initial parameters", repr(sum(parameters())))
