/**
 * The deterministic random numbers behind every synthetic model: xoshiro128** seeded through splitmix32, one
 * independent stream per tensor, so the same seed always gives the same bytes however the writing is chunked.
 */

/** One independent PRNG stream per tensor, so a tensor's values do not depend on how the others are chunked. */
export function streamSeed(seed: number, index: number): number {
    return splitmix32((seed ^ Math.imul(index + 1, 0x9e3779b9)) >>> 0);
}

export function splitmix32(x: number): number {
    let z = (x + 0x9e3779b9) | 0;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
    return (z ^ (z >>> 16)) >>> 0;
}

/** xoshiro128**: 32 random bits per step; uniforms and Box–Muller normals on top. */
export class Random {
    private s0: number;
    private s1: number;
    private s2: number;
    private s3: number;

    constructor(seed: number) {
        this.s0 = splitmix32(seed);
        this.s1 = splitmix32(this.s0);
        this.s2 = splitmix32(this.s1);
        this.s3 = splitmix32(this.s2);
    }

    /** 32 random bits, as a signed int32. */
    next(): number {
        const result = Math.imul(rotl(Math.imul(this.s1, 5), 7), 9);
        const t = this.s1 << 9;
        this.s2 ^= this.s0;
        this.s3 ^= this.s1;
        this.s1 ^= this.s2;
        this.s0 ^= this.s3;
        this.s2 ^= t;
        this.s3 = rotl(this.s3, 11);
        return result;
    }

    /** Uniform in (0, 1]. */
    uniform(): number {
        return ((this.next() >>> 0) + 1) / 4294967296;
    }

    /** Normal values with mean 0 and standard deviation `std`. */
    fillNormal(out: Float32Array, std: number): void {
        for (let i = 0; i < out.length; i += 2) {
            const r = std * Math.sqrt(-2 * Math.log(this.uniform()));
            const theta = 2 * Math.PI * this.uniform();
            out[i] = r * Math.cos(theta);
            if (i + 1 < out.length)
                out[i + 1] = r * Math.sin(theta);
        }
    }

    /** Random bytes, four per step (the tail of a length that is not a multiple of 4 from one more step). */
    fillBytes(out: Uint8Array): void {
        const words = out.length >>> 2;
        if ((out.byteOffset & 3) === 0) {
            const view = new Int32Array(out.buffer, out.byteOffset, words);
            for (let i = 0; i < words; i++)
                view[i] = this.next();
        } else {
            const view = new DataView(out.buffer, out.byteOffset, out.byteLength);
            for (let i = 0; i < words; i++)
                view.setInt32(i * 4, this.next(), true);
        }
        if ((out.length & 3) !== 0) {
            let word = this.next();
            for (let i = words * 4; i < out.length; i++, word >>>= 8)
                out[i] = word & 0xff;
        }
    }
}

function rotl(x: number, k: number): number {
    return (x << k) | (x >>> (32 - k));
}
