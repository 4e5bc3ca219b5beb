/**
 * A prompt's tokens as an application would feed them.
 * - `chat`: the model's chat template, resolved and applied the way `LlamaChatSession` does on its first prompt:
 *   `resolveChatWrapper(model)`, the wrapper's initial history (its default system prompt, where the wrapper takes
 *   system messages), the user message, an empty model turn, then `generateContextState(...).contextText.tokenize`.
 * - `completion`: the raw text, with the beginning token `LlamaCompletion` would prepend (BOS when the model asks).
 */
import { resolveChatWrapper, type ChatHistoryItem, type LlamaModel, type Token } from "node-llama-cpp";
import type { Prompt } from "../suite/types.ts";

export function promptTokens(model: LlamaModel, prompt: Prompt): Token[] {
    if (prompt.kind === "chat") return chatPromptTokens(model, prompt.text);
    return completionPromptTokens(model, prompt.text);
}

/**
 * resolveChatWrapper renders the model's Jinja template against node-llama-cpp's known wrappers: 230–350 ms on the
 * synthetic ChatML model, every call (measured). The answer depends on the model alone, so a config with several chat
 * prompts resolves it once.
 */
const chatWrappers = new WeakMap<LlamaModel, ReturnType<typeof resolveChatWrapper>>();

export function chatPromptTokens(model: LlamaModel, text: string): Token[] {
    let chatWrapper = chatWrappers.get(model);
    if (chatWrapper == null) chatWrappers.set(model, chatWrapper = resolveChatWrapper(model));
    const supportsSystem = chatWrapper.settings.supportsSystemMessages;
    const history: ChatHistoryItem[] = [
        ...(supportsSystem == null || supportsSystem ? chatWrapper.generateInitialChatHistory() : []),
        { type: "user", text },
        { type: "model", response: [] }
    ];
    const { contextText } = chatWrapper.generateContextState({ chatHistory: history });
    return contextText.tokenize(model.tokenizer);
}

export function completionPromptTokens(model: LlamaModel, text: string): Token[] {
    const tokens = model.tokenize(text, false);
    const bos = model.tokens.bos;
    if (model.tokens.shouldPrependBosToken && bos != null && tokens[0] !== bos) tokens.unshift(bos);
    return tokens;
}
