/**
 * The SentencePiece-style (`tokenizer.ggml.model = llama`) vocabulary of the synthetic models: 512 tokens.
 *
 * ids 0..2 `<unk>` `<s>` `</s>`, 3..258 the byte tokens `<0x00>`..`<0xFF>` (so any text tokenizes), then normal
 * tokens: `▁`, single characters, `▁` + each letter, and common English words with every `▁`-prefix of them (the
 * SPM tokenizer only merges adjacent pieces whose concatenation is a token, so a word is reachable only through its
 * prefixes), and last the ChatML control tokens `<|im_start|>` `<|im_end|>` used by the chat template.
 */

/** `enum llama_token_type` values used in `tokenizer.ggml.token_type`. */
export const TokenType = { normal: 1, unknown: 2, control: 3, byte: 6 } as const;

export interface SyntheticVocab {
    tokens: string[];
    scores: number[];
    tokenTypes: number[];
    unkId: number;
    bosId: number;
    eosId: number;
}

/** Total vocabulary size. */
export const SYNTHETIC_VOCAB_SIZE = 512;

const SPACE = "\u2581";
const CHAT_TOKENS = ["<|im_start|>", "<|im_end|>"];

const LETTERS = "abcdefghijklmnopqrstuvwxyz";
const CHARACTERS = LETTERS + LETTERS.toUpperCase() + "0123456789" + ".,!?'\":;-()";

/** Most frequent English words first; taken in order until the vocabulary is full. */
const WORDS = (
    "the of and to in is it you that he was for on are with as his they be at one have this from or had by " +
    "not but what all were we when your can said there use an each which she do how their if will up other " +
    "about out many then them these so some her would make like him into time has look two more write go see " +
    "number no way could people my than first water been call who oil its now find long down day did get come " +
    "made may part over new sound take only little work know place year live me back give most very after thing " +
    "our just name good sentence man think say great where help through much before line right too mean old any " +
    "same tell boy follow came want show also around form three small set put end does another well large must " +
    "big even such because turn here why ask went men read need land different home us move try kind hand picture " +
    "again change off play spell air away animal house point page letter mother answer found study still learn " +
    "should world high every near add food between own below country plant last school father keep tree never"
).split(" ");

let cached: SyntheticVocab | undefined;

export function syntheticVocab(): SyntheticVocab {
    cached ??= buildVocab();
    return cached;
}

function buildVocab(): SyntheticVocab {
    const tokens: string[] = ["<unk>", "<s>", "</s>"];
    const tokenTypes: number[] = [TokenType.unknown, TokenType.control, TokenType.control];
    for (let byte = 0; byte < 256; byte++) {
        tokens.push(`<0x${byte.toString(16).toUpperCase().padStart(2, "0")}>`);
        tokenTypes.push(TokenType.byte);
    }

    const normalCount = SYNTHETIC_VOCAB_SIZE - tokens.length - CHAT_TOKENS.length;
    const normal = new Set<string>([SPACE, ...CHARACTERS]);
    for (const letter of LETTERS + LETTERS.toUpperCase())
        normal.add(SPACE + letter);
    outer: for (const word of WORDS) {
        const piece = SPACE + word;
        const missing: string[] = [];
        for (let end = 2; end <= piece.length; end++)
            if (!normal.has(piece.slice(0, end)))
                missing.push(piece.slice(0, end));
        if (normal.size + missing.length > normalCount)
            break outer;
        for (const prefix of missing)
            normal.add(prefix);
    }
    // fill any remainder with two-letter pieces, so the size is always exact
    for (const a of LETTERS)
        for (const b of LETTERS) {
            if (normal.size >= normalCount)
                break;
            normal.add(SPACE + a + b);
        }

    const scores = tokens.map(() => 0);
    let rank = 0;
    for (const piece of normal) {
        tokens.push(piece);
        tokenTypes.push(TokenType.normal);
        scores.push(-rank++); // descending: earlier (more common) pieces win merges
    }
    for (const chat of CHAT_TOKENS) {
        tokens.push(chat);
        tokenTypes.push(TokenType.control);
        scores.push(0);
    }
    if (tokens.length !== SYNTHETIC_VOCAB_SIZE)
        throw new Error(`Synthetic vocabulary has ${tokens.length} tokens, expected ${SYNTHETIC_VOCAB_SIZE}`);
    return { tokens, scores, tokenTypes, unkId: 0, bosId: 1, eosId: 2 };
}

/** A small ChatML template; the control tokens above make its markers single tokens. */
export const SYNTHETIC_CHAT_TEMPLATE =
    "{% for message in messages %}" +
    "{{ '<|im_start|>' + message['role'] + '\\n' + message['content'] + '<|im_end|>' + '\\n' }}" +
    "{% endfor %}" +
    "{% if add_generation_prompt %}{{ '<|im_start|>assistant\\n' }}{% endif %}";
