/** Where a JSON text breaks, and how deep it nests, said without quoting the text. */
import { describe, expect, it } from "vitest";
import { jsonProblem } from "../../runner/store/jsonProblem.ts";

describe("jsonProblem", () => {
    it("accepts what JSON.parse accepts", () => {
        for (const text of ["{}", "[]", " 1 ", "-0.5e+3", "\"a\\u00e9\\n\"", "{\"a\": [1, {\"b\": null}], \"c\": true, \"d\": false}", "[[],{}]"])
            expect(jsonProblem(text), text).toBeNull();
    });

    it("names line and column of the break, and what broke, quoting nothing", () => {
        expect(jsonProblem("root:x:0:0:root:/root:/bin/bash\n")).toEqual({ line: 1, column: 1, problem: "expected a value (an unexpected character)" });
        expect(jsonProblem("{\n  \"a\": 1,\n  b: 2\n}")).toEqual({ line: 3, column: 3, problem: "expected a key in double quotes" });
        expect(jsonProblem("{\"a\": [1, 2")).toMatchObject({ problem: "the text ends early (truncated?)" });
        expect(jsonProblem("")).toMatchObject({ problem: "the file is empty" });
        expect(jsonProblem("{} x")).toMatchObject({ line: 1, column: 4, problem: "more text after the JSON value" });
        expect(jsonProblem("[01]")).toMatchObject({ problem: "expected `,` or `]`" });
        expect(jsonProblem("\"a\tb\"")).toMatchObject({ problem: "a control character inside a string" });
        expect(jsonProblem("[1,]")).toMatchObject({ problem: "expected a value (an unexpected character)" });
        for (const bad of ["{\"a\" 1}", "[1 2]", "{\"a\":}", "[-]", "[1.]", "\"\\x\"", "[tru]", "{,}"]) {
            expect(jsonProblem(bad), bad).not.toBeNull();
            expect(() => JSON.parse(bad), bad).toThrow();
        }
    });

    it("refuses nesting past the bound, without recursing (a million levels)", () => {
        expect(jsonProblem("[".repeat(1_000_000) + "]".repeat(1_000_000))).toEqual({ line: 1, column: 33, problem: "nesting deeper than 32 levels" });
        expect(jsonProblem("[".repeat(32) + "]".repeat(32))).toBeNull();
    });
});
