import { describe, expect, test } from "vitest";
import { adhocSuite } from "../../runner/cli/adhocSuite.ts";
import { InputError } from "../../runner/errors.ts";

describe("bench --model like:… [--quant]", () => {
    test("a Hub file becomes a one-config suite of its synthetic clone, re-typed when --quant is given", () => {
        expect(adhocSuite("like:acme/M-GGUF/m-f16.gguf", "hi", {}, "q4_k_m").models).toEqual([
            { source: "synthetic", like: { repo: "acme/M-GGUF", revision: "main", file: "m-f16.gguf" }, quants: ["Q4_K_M"], seed: 1 }
        ]);
        expect(adhocSuite("like:acme/M-GGUF/m-f16.gguf", "hi", {}).models).toEqual([
            { source: "synthetic", like: { repo: "acme/M-GGUF", revision: "main", file: "m-f16.gguf" }, quants: null, seed: 1 }
        ]);
    });

    test.each([
        ["like:acme/M-GGUF/m.gguf", "Q4_K_X", /^--quant: expected a file type llama-quantize makes \(F32, F16, .*MXFP4_MOE\), got `Q4_K_X`$/],
        ["acme/M-GGUF/m.gguf", "Q4_K_M", /^--quant: only with --model like:… \(it re-types a synthetic clone\)$/],
        ["like:acme/M-GGUF/../../x.gguf", undefined, /^--model like:acme\/M-GGUF\/\.\.\/\.\.\/x\.gguf: expected a path inside the repo/],
        ["like:./no/such/file.gguf", undefined, /^--model like:\.\/no\/such\/file\.gguf: expected an existing GGUF file \(looked for .*no\/such\/file\.gguf\)$/]
    ])("%s --quant %s: one input-error line", (model, quant, message) => {
        const run = () => adhocSuite(model, "hi", {}, quant);
        expect(run).toThrow(InputError);
        expect(run).toThrow(message);
    });
});
