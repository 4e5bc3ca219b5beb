import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { InputError } from "../../runner/errors.ts";
import { planConfigs } from "../../runner/plan/plan.ts";
import { parseSuite } from "../../runner/suite/parseSuite.ts";

let dir: string;
beforeAll(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "gguf-bench-parallel-"));
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

let counter = 0;
function write(text: string): string {
    const file = path.join(dir, `suite-${++counter}.yaml`);
    fs.writeFileSync(file, text);
    return file;
}

const models = "models:\n  - synthetic: { preset: tiny, quant: Q8_0 }\n";

function errorOf(text: string): string {
    const file = write(text);
    try {
        parseSuite(file);
    } catch (error) {
        expect(error).toBeInstanceOf(InputError);
        const message = (error as InputError).message;
        expect(message).not.toContain("\n");
        return message.slice(file.length + 1);
    }
    throw new Error(`expected ${file} to be rejected`);
}

describe("parallel tests: parsing", () => {
    it("reads a parallel block beside pp/tg tests, sorts its levels and fills the defaults", () => {
        const suite = parseSuite(write(`name: p\n${models}tests:\n  - pp: 8\n  - parallel: { sequences: [4, 1, 2], prompt: 16, gen: 8 }\n  - tg: 4\n  - parallel: { sequences: [1, 8], prompt: 16, gen: 8, shared: true, rise: 0.2, itlP90Ms: 100 }\n`));
        expect(suite.tests.map((t) => t.id)).toEqual(["pp8", "tg4"]);
        expect(suite.parallel).toEqual([
            { id: "par:pp16+tg8", sequences: [1, 2, 4], prompt: 16, gen: 8, shared: false, rise: 0.1, itlP90Ms: null },
            { id: "par:pp16+tg8:shared", sequences: [1, 8], prompt: 16, gen: 8, shared: true, rise: 0.2, itlP90Ms: 100 }
        ]);
    });

    it("is enough on its own, and a suite without one has no `parallel` key", () => {
        expect(parseSuite(write(`name: p\n${models}tests:\n  - parallel: { sequences: [1], prompt: 4, gen: 4 }\n`)).parallel).toHaveLength(1);
        expect(parseSuite(write(`name: p\n${models}tests:\n  - pp: 8\n`))).not.toHaveProperty("parallel");
    });

    it.each([
        ["no levels", "parallel: { sequences: [], prompt: 4, gen: 4 }", /tests\[0\]\.parallel\.sequences: expected a non-empty list of unique values, got `\[\]` \(array\)/],
        ["a level of 0", "parallel: { sequences: [0, 2], prompt: 4, gen: 4 }", /tests\[0\]\.parallel\.sequences\[0\]: expected an integer from 1 to 1024, got `0`/],
        ["a level twice", "parallel: { sequences: [2, 2], prompt: 4, gen: 4 }", /tests\[0\]\.parallel\.sequences\[1\]: expected no duplicates in the list, got `2`/],
        ["no gen", "parallel: { sequences: [1], prompt: 4 }", /tests\[0\]\.parallel\.gen: expected an integer from 1 to 16777216, got nothing \(key missing\)/],
        ["a rise of 0", "parallel: { sequences: [1], prompt: 4, gen: 4, rise: 0 }", /tests\[0\]\.parallel\.rise: expected a number > 0 and <= 10, got `0`/],
        ["a negative budget", "parallel: { sequences: [1], prompt: 4, gen: 4, itlP90Ms: -1 }", /tests\[0\]\.parallel\.itlP90Ms: expected a number > 0, got `-1`/],
        ["an unknown key", "parallel: { sequences: [1], prompt: 4, gen: 4, users: 3 }", /tests\[0\]\.parallel\.users: expected one of the keys/],
        ["pp beside parallel", "{ pp: 8, parallel: { sequences: [1], prompt: 4, gen: 4 } }", /tests\[0\]\.pp: expected no `pp` beside a `parallel` block \(its sizes are `prompt` and `gen` inside it\), got `8`/]
    ])("refuses %s, naming the key", (_, entry, says) => {
        expect(errorOf(`name: p\n${models}tests:\n  - ${entry}\n`)).toMatch(says);
    });

    it("refuses the same parallel test twice", () => {
        expect(errorOf(`name: p\n${models}tests:\n  - parallel: { sequences: [1], prompt: 4, gen: 4 }\n  - parallel: { sequences: [2], prompt: 4, gen: 4 }\n`))
            .toMatch(/tests\[1\]: expected a test not already listed \(same as tests\[0\], `par:pp4\+tg4`\)/);
    });

    it("refuses, with the numbers, sequences that do not each fit their context (the smallest of a sweep)", () => {
        expect(errorOf(`name: p\nmatrix: { context: [1024, 256] }\n${models}tests:\n  - pp: 8\n  - parallel: { sequences: [1, 4], prompt: 200, gen: 56 }\n`))
            .toBe("7:15 tests[1].parallel: test par:pp200+tg56 needs 257 tokens of context in each sequence (prompt 200 + gen 56 + the cell node-llama-cpp keeps free), more than the context of 256 (matrix.context), which each of its up to 4 sequences gets: raise context or shorten the test");
        // one cell less fits
        expect(parseSuite(write(`name: p\ndefaults: { context: 256 }\n${models}tests:\n  - parallel: { sequences: [1, 4], prompt: 200, gen: 55 }\n`)).parallel).toHaveLength(1);
    });
});

describe("parallel tests: planning", () => {
    it("gives every config the parallel tests; the workload is in the config id, the knee settings are not", () => {
        const id = (block: string) => {
            const configs = planConfigs(parseSuite(write(`name: p\n${models}tests:\n  - pp: 8\n  - parallel: ${block}\n`)));
            expect(configs[0]!.parallel).toHaveLength(1);
            return configs[0]!.id;
        };
        const base = id("{ sequences: [1, 2], prompt: 16, gen: 8 }");
        expect(id("{ sequences: [1, 2], prompt: 16, gen: 8, rise: 0.3, itlP90Ms: 50 }")).toBe(base);
        expect(id("{ sequences: [2, 1], prompt: 16, gen: 8 }")).toBe(base);
        expect(id("{ sequences: [1, 2, 4], prompt: 16, gen: 8 }")).not.toBe(base);
        expect(id("{ sequences: [1, 2], prompt: 16, gen: 8, shared: true }")).not.toBe(base);
        const plain = planConfigs(parseSuite(write(`name: p\n${models}tests:\n  - pp: 8\n`)))[0]!;
        expect(plain).not.toHaveProperty("parallel");
        expect(plain.id).not.toBe(base);
    });
});
