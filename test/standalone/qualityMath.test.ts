import { describe, expect, test } from "vitest";
import { chunkInput, chunkLayout, chunkTargets } from "../../runner/measure/quality/chunks.ts";
import { argmaxFirst, klExact, klTopK, logSumExp, logSumExpFromWeight } from "../../runner/measure/quality/positionMath.ts";
import { qualityFigures } from "../../runner/stats/qualityFigures.ts";

// A three-token vocabulary worked out by hand: the reference p = (0.5, 0.3, 0.2), the model q = (0.4, 0.4, 0.2).
const p = [0.5, 0.3, 0.2];
const q = [0.4, 0.4, 0.2];
// raw logits are log-probabilities plus any constant: the log-sum-exp has to take it out
const modelLogits = new Map(q.map((v, i) => [i, Math.log(v) + 3]));
const refLogProbs = Float32Array.from(p.map(Math.log));
// KL(p ‖ q) = 0.5 ln(0.5/0.4) + 0.3 ln(0.3/0.4) + 0.2 ln(0.2/0.2)
const klByHand = 0.5 * Math.log(1.25) + 0.3 * Math.log(0.75);

describe("one position", () => {
    test("log-sum-exp from all logits, and from node-llama-cpp's max logit and total weight, both give back ln q", () => {
        const lse = logSumExp([...modelLogits.values()]);
        expect(lse).toBeCloseTo(3, 12);
        const weight = q.reduce((sum, v) => sum + v / 0.4, 0); // Σ exp(logit − max logit), max is ln 0.4 + 3
        expect(logSumExpFromWeight(Math.log(0.4) + 3, weight)).toBeCloseTo(3, 12);
        expect(() => logSumExpFromWeight(1, 0.5)).toThrow(RangeError);
    });

    test("exact KL divergence is Σ p (ln p − ln q)", () => {
        expect(klByHand).toBeCloseTo(0.025267154, 8);
        expect(klExact(refLogProbs, modelLogits, 3)).toBeCloseTo(klByHand, 6);
        expect(klExact(Float32Array.from(q.map(Math.log)), modelLogits, 3)).toBeCloseTo(0, 7);
    });

    test("top-K KL divergence: the K tokens and one tail bucket, plus the tail's inside divergence taken equal to the head's", () => {
        // p = (0.4, 0.3, 0.2, 0.1), q = (0.3, 0.3, 0.25, 0.15); K = 2 keeps tokens 0 and 1
        const p4 = [0.4, 0.3, 0.2, 0.1];
        const q4 = new Map([0.3, 0.3, 0.25, 0.15].map((v, i) => [i, Math.log(v) - 1]));
        const exact = 0.4 * Math.log(4 / 3) + 0.2 * Math.log(0.8) + 0.1 * Math.log(2 / 3);
        expect(klExact(Float32Array.from(p4.map(Math.log)), q4, -1)).toBeCloseTo(exact, 6);
        // coarse: 0.4 ln(0.4/0.3) + 0.3 ln(0.3/0.3) + 0.3 ln(0.3/0.4), a lower bound of the exact 0.0299
        const coarse = 0.4 * Math.log(4 / 3) + 0.3 * Math.log(0.75);
        expect(coarse).toBeLessThan(exact);
        // the head renormalised: (4/7, 3/7) against (1/2, 1/2)
        const inside = (4 / 7) * Math.log(8 / 7) + (3 / 7) * Math.log(6 / 7);
        expect(klTopK([0, 1], [Math.log(0.4), Math.log(0.3)], q4, -1)).toBeCloseTo(coarse + 0.3 * inside, 12);
        expect(coarse + 0.3 * inside).toBeCloseTo(0.0318399, 6); // an estimate: here 6.5 % above the exact 0.0298976
        // one token in the head has no inside divergence: the coarse value, 0.5 ln(0.5/0.4) + 0.5 ln(0.5/0.6)
        expect(klTopK([0], [Math.log(0.5)], modelLogits, 3)).toBeCloseTo(0.5 * Math.log(1.25) + 0.5 * Math.log(0.5 / 0.6), 10);
        // nothing outside the K tokens: the exact divergence
        expect(klTopK([0, 1, 2], p.map(Math.log), modelLogits, 3)).toBeCloseTo(klByHand, 10);
        // the model's logits of the reference's tokens are needed
        expect(() => klTopK([7], [Math.log(0.5)], modelLogits, 3)).toThrow(/reference token 7/);
    });

    test("the top token is the first with the largest value, as llama.cpp's greedy pick", () => {
        expect(argmaxFirst(q)).toBe(0);
        expect(argmaxFirst([0.1, 0.7, 0.7, 0.2])).toBe(1);
    });
});

describe("figures of a scored corpus, against llama-perplexity's formulas", () => {
    // position A: target 0 (model 0.4, reference 0.5, both pick token 0); position B: target 2 (model 0.2,
    // reference 0.2; the model picks token 1, the reference token 0)
    const samples = {
        token: [0, 2],
        nll: [-Math.log(0.4), -Math.log(0.2)],
        top1: [0, 1],
        nllRef: [-Math.log(0.5), -Math.log(0.2)],
        top1Ref: [0, 0],
        kld: [0.1, 0.2]
    };
    const figures = qualityFigures(samples);

    test("perplexity is exp(mean NLL) with exp(mean) · sqrt(var / (n − 1)) as its uncertainty", () => {
        expect(figures.perplexity!.value).toBeCloseTo(1 / Math.sqrt(0.4 * 0.2), 10);
        // NLLs 0.916 and 1.609: sd of the mean = half their difference = ln(2) / 2
        expect(figures.perplexity!.unc).toBeCloseTo((1 / Math.sqrt(0.08)) * (Math.log(2) / 2), 10);
        expect(figures.perplexityRef!.value).toBeCloseTo(1 / Math.sqrt(0.5 * 0.2), 10);
    });

    test("top-1 accuracy and same top-1 are shares in percent with binomial uncertainties", () => {
        expect(figures.top1Accuracy).toEqual({ value: 50, unc: 100 * Math.sqrt(0.25 / 1) });
        expect(figures.sameTop1).toEqual({ value: 50, unc: 50 });
    });

    test("Δp is the change of the target's probability, in percentage points, with its RMS", () => {
        expect(figures.deltaPMean!.value).toBeCloseTo(-5, 10); // (−0.1 + 0) / 2
        expect(figures.deltaPRms!.value).toBeCloseTo(100 * Math.sqrt(0.01 / 2), 10);
    });

    test("the PPL ratio is exp of the mean NLL difference", () => {
        expect(figures.lnPplRatio!.value).toBeCloseTo(Math.log(1.25) / 2, 10);
        expect(figures.pplRatio!.value).toBeCloseTo(Math.sqrt(1.25), 10);
    });

    test("KLD: mean ± sqrt(var / (n − 1)), median, linear-rank percentiles and the max", () => {
        const kld = qualityFigures({ token: [0, 0, 0, 0, 0], nll: [1, 1, 1, 1, 1], top1: [0, 0, 0, 0, 0], nllRef: [1, 1, 1, 1, 1], top1Ref: [0, 0, 0, 0, 0], kld: [0.3, 0.1, 1.0, 0.2, 0.4] });
        expect(kld.kldMean!.value).toBeCloseTo(0.4, 12);
        expect(kld.kldMean!.unc).toBeCloseTo(Math.sqrt(0.1 / 4), 12);
        expect(kld.kldMedian!.value).toBeCloseTo(0.3, 12);
        expect(kld.kldP90!.value).toBeCloseTo(0.76, 12); // rank 3.6 between 0.4 and 1.0
        expect(kld.kldP99!.value).toBeCloseTo(0.976, 12);
        expect(kld.kldP999!.value).toBeCloseTo(0.9976, 12);
        expect(kld.kldMax!.value).toBe(1.0);
    });

    test("without a reference only perplexity and top-1 accuracy; bad samples are refused", () => {
        expect(Object.keys(qualityFigures({ token: [1], nll: [0.5], top1: [1] })).sort()).toEqual(["perplexity", "top1Accuracy"]);
        expect(() => qualityFigures({ token: [], nll: [], top1: [] })).toThrow(RangeError);
        expect(() => qualityFigures({ token: [1], nll: [Number.NaN], top1: [1] })).toThrow(/nll\[0\]/);
        expect(() => qualityFigures({ ...samples, kld: [0.1] })).toThrow(/kld/);
    });
});

describe("chunks as llama-perplexity cuts them", () => {
    // ten tokens, BOS (1) first; a context of 4: two chunks, each scores position 2 (predicting the token after it)
    const tokens = [1, 11, 12, 13, 14, 15, 16, 17, 18, 19];
    const layout = chunkLayout(tokens.length, 4);

    test("whole chunks only; the second half of each is scored, the last position never fed", () => {
        expect(layout).toEqual({ context: 4, chunks: 2, first: 2, perChunk: 1, available: 2 });
        expect(chunkInput(tokens, layout, 0, 1)).toEqual([1, 11, 12]);
        expect(chunkTargets(tokens, layout, 0)).toEqual([13]);
        // the first token of every chunk becomes BOS, as llama-perplexity does
        expect(chunkInput(tokens, layout, 1, 1)).toEqual([1, 15, 16]);
        expect(chunkTargets(tokens, layout, 1)).toEqual([17]);
        // a model without BOS keeps the corpus token
        expect(chunkInput(tokens, layout, 1, null)).toEqual([14, 15, 16]);
    });

    test("at 512 tokens a chunk scores 255 positions, from 256 to 510", () => {
        expect(chunkLayout(2048, 512)).toMatchObject({ chunks: 4, first: 256, perChunk: 255 });
        expect(chunkLayout(2048, 512, 2).chunks).toBe(2);
        expect(chunkLayout(2048, 512, 9).chunks).toBe(4);
    });

    test("a corpus shorter than one chunk is refused", () => {
        expect(() => chunkLayout(511, 512)).toThrow(/511 tokens, less than one chunk of 512/);
    });
});
