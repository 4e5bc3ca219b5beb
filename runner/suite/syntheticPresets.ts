/** Shapes of the random-weight llama models gguf-bench writes itself (runner/models/synthetic/synthetic.ts). */

export interface SyntheticShape {
    /** Embedding width. */
    dim: number;
    layers: number;
    /** Feed-forward width. */
    ffn: number;
    heads: number;
    kvHeads: number;
    /** Trained context length written to the header. */
    contextLength: number;
}

export const syntheticPresets = {
    /** ~1 M parameters, loads in milliseconds: hermetic tests and the offline default suite. */
    tiny: { dim: 128, layers: 2, ffn: 384, heads: 4, kvHeads: 2, contextLength: 4096 },
    /** ~25 M parameters: the shape of the 25M reference models the project's benchmarks were checked on. */
    small: { dim: 768, layers: 4, ffn: 2048, heads: 12, kvHeads: 4, contextLength: 4096 },
    /** ~360 M parameters, a real model's shape (dim 2048, 8 layers): decode timing close to real 0.5B models. */
    medium: { dim: 2048, layers: 8, ffn: 5632, heads: 16, kvHeads: 4, contextLength: 8192 }
} as const satisfies Record<string, SyntheticShape>;

export type SyntheticPreset = keyof typeof syntheticPresets;

/** Tensor types the writer can produce (block formats of ggml, quantized in TypeScript). */
export const syntheticQuants = ["F32", "F16", "Q8_0", "Q4_0"] as const;
export type SyntheticQuant = typeof syntheticQuants[number];
