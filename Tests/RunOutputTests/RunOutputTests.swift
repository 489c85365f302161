import Foundation
import RunOutput
import Testing

@Suite struct JSONValueTests {
    @Test func nonFiniteNumbersBecomeNull() throws {
        let value = JSONValue.object([("a", .number(.nan)), ("b", .number(.infinity)), ("c", .numbers([1.5, -.infinity]))])
        let text = value.serialized(pretty: false)
        #expect(text == #"{"a":null,"b":null,"c":[1.5,null]}"#)
        // And it is valid JSON.
        let parsed = try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any]
        #expect(parsed?["a"] is NSNull)
    }

    @Test func numbersRoundTrip() throws {
        // Parsed with Double(String) (correctly rounded, like Python's json); swift-corelibs'
        // JSONSerialization is off by an ulp on some inputs.
        let values = [0.1, 1.0 / 3, 1e-300, 6.02214076e23, -2.5, 103.00755385551926, 4.0]
        let text = JSONValue.numbers(values).serialized(pretty: false)
        let parsed = text.dropFirst().dropLast().split(separator: ",").map { Double(String($0))! }
        #expect(parsed == values)
    }

    @Test func stringsAreEscaped() throws {
        let text = JSONValue.string("a \"quote\"\n\\ tab\t\u{01}").serialized()
        let parsed = try JSONSerialization.jsonObject(with: Data(text.utf8), options: .fragmentsAllowed) as! String
        #expect(parsed == "a \"quote\"\n\\ tab\t\u{01}")
    }

    @Test func keysKeepTheirOrder() {
        let text = JSONValue.object([("z", 1), ("a", 2)]).serialized(pretty: false)
        #expect(text == #"{"z":1,"a":2}"#)
    }
}

@Suite struct CSVTableTests {
    @Test func cellsAndMissingValues() {
        var table = CSVTable(columns: ["x", "label"])
        table.append([.number(0.5), .text("a,b")])
        table.append([.number(.nan), .text("plain")])
        #expect(table.text == "x,label\n0.5,\"a,b\"\n,plain\n")
    }
}

@Suite struct AtomicFileTests {
    @Test func writesReplacesAndLeavesNoTemporaries() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("neurodyn-atomic-\(UUID())")
        defer { try? FileManager.default.removeItem(at: directory) }
        let target = directory.appendingPathComponent("nested/out.txt")
        try AtomicFile.write("first", to: target)
        try AtomicFile.write("second", to: target)
        #expect(try String(contentsOf: target, encoding: .utf8) == "second")
        let leftovers = try FileManager.default.contentsOfDirectory(atPath: target.deletingLastPathComponent().path)
        #expect(leftovers == ["out.txt"])
    }

    @Test func unwritableDestinationIsAnError() {
        #expect(throws: AtomicFile.WriteError.self) {
            try AtomicFile.write("x", to: URL(fileURLWithPath: "/proc/neurodyn-cannot/out.txt"))
        }
    }
}

@Suite struct NotebookDocumentTests {
    @Test func nbformat45WithStableIdsAndNoOutputs() throws {
        let document = NotebookDocument(name: "Phase tanh", cells: [.markdown("# Title\ntext"), .code("x = 1\nprint(x)\n")])
        let text = document.json.serialized()
        #expect(text == document.json.serialized())
        let object = try JSONSerialization.jsonObject(with: Data(text.utf8)) as! [String: Any]
        #expect(object["nbformat"] as? Int == 4 && object["nbformat_minor"] as? Int == 5)
        let cells = object["cells"] as! [[String: Any]]
        #expect(cells.map { $0["id"] as! String } == ["phase-tanh-0", "phase-tanh-1"])
        #expect(cells[1]["outputs"] as? [Any] != nil && (cells[1]["outputs"] as! [Any]).isEmpty)
        #expect(cells[1]["source"] as! [String] == ["x = 1\n", "print(x)"])
    }

    @Test func manifestRecordsSeedAndVersions() throws {
        let manifest = RunManifest(command: "neurodyn x", parameters: [("n", 3)], seed: UInt64.max,
                                   versions: [("gsl", "2.7.1")], files: ["a.csv"])
        let object = try JSONSerialization.jsonObject(with: Data(manifest.json.serialized().utf8)) as! [String: Any]
        // Seeds are strings: a 64-bit seed does not fit a JSON number exactly.
        #expect(object["seed"] as? String == "18446744073709551615")
        #expect((object["versions"] as! [String: String])["gsl"] == "2.7.1")
    }
}

@Suite struct ShardTests {
    @Test func sharesAreRoundRobinAndCoverEveryUnitOnce() throws {
        for count in [1, 3, 8] {
            let all = try (0..<count).flatMap { try Shard(index: $0, count: count).units(of: 23) }
            #expect(all.sorted() == Array(0..<23))
        }
        #expect(try Shard(index: 1, count: 3).units(of: 8) == [1, 4, 7])
        #expect(try Shard(index: 3, count: 8).stem == "shard-0003-of-0008")
    }

    @Test func jsonReadsBackWhatItWrites() throws {
        let value = JSONValue.object([("a", .array([.int(-3), .number(0.1), .number(1e-300), .null, .bool(true)])),
                                      ("b", .object([("z", .string("quote \" and \\ and é")), ("y", .number(2.5e10))]))])
        let parsed = try JSONValue(parsing: value.serialized())
        #expect(parsed == value)
        #expect(parsed["b"]?["z"]?.stringValue == "quote \" and \\ and é")
        #expect(throws: JSONValue.ParseError.self) { try JSONValue(parsing: "{\"a\": [1, 2}") }
    }
}

@Suite struct SHA256Tests {
    @Test func fipsVectors() {
        // FIPS 180-4 examples (NIST's "SHA256.pdf"): "", "abc", the 448-bit two-block message,
        // and one million "a" (many blocks).
        #expect(SHA256.hex("".utf8) == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
        #expect(SHA256.hex("abc".utf8) == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        #expect(SHA256.hex("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq".utf8)
                == "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1")
        #expect(SHA256.hex([UInt8](repeating: 0x61, count: 1_000_000))
                == "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0")
    }
}
