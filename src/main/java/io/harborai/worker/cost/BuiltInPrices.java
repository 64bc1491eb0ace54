package io.harborai.worker.cost;

import java.util.List;

/**
 * The prices the worker knows without configuration, as {@code (glob, price)} pairs in match order
 * (narrower globs before wider ones: {@code gpt-4o-mini*} before {@code gpt-4o}).
 *
 * <p>Why "check your contract": list prices change, and discounts, batch rates and regional
 * endpoints differ per account. Each entry names where its numbers come from and how well they
 * were checked; operators override any of them with the {@code pricing} config key, whose entries
 * are matched before these.
 */
final class BuiltInPrices {

    private BuiltInPrices() {}

    record Entry(String glob, Price price) {}

    static final List<Entry> ENTRIES = List.of(
            // DeepSeek, USD per 1M tokens: input = cache miss, cached input = cache hit. Checked against
            // https://api-docs.deepseek.com/quick_start/pricing-details-usd (copy consulted 2026; those are
            // the DeepSeek-V3 / R1 list prices of 2025). DeepSeek has repriced since: check your contract.
            // deepseek-reasoner bills chain-of-thought tokens as output, inside completion_tokens.
            new Entry("deepseek-chat", Price.usd(0.27, 0.07, 1.10)),
            new Entry("deepseek-reasoner", Price.usd(0.55, 0.14, 2.19)),

            // OpenAI, USD per 1M tokens (input / cached input / output). Source:
            // https://platform.openai.com/docs/pricing as quoted 2025-06-03 by the openai_responses hex
            // package and by third-party price tables of 2026; not read on OpenAI's own page, so
            // approximate, check your contract. Dated snapshots share the alias's price, except
            // gpt-4o-2024-05-13 (older, dearer), which falls through to no price rather than a wrong one.
            new Entry("gpt-4o-mini", Price.usd(0.15, 0.075, 0.60)),
            new Entry("gpt-4o-mini-20??-??-??", Price.usd(0.15, 0.075, 0.60)),
            new Entry("gpt-4o", Price.usd(2.50, 1.25, 10.00)),
            new Entry("gpt-4o-2024-08-06", Price.usd(2.50, 1.25, 10.00)),
            new Entry("gpt-4o-2024-11-20", Price.usd(2.50, 1.25, 10.00)),
            new Entry("gpt-4.1-mini*", Price.usd(0.40, 0.10, 1.60)),
            new Entry("gpt-4.1-nano*", Price.usd(0.10, 0.025, 0.40)),
            new Entry("gpt-4.1*", Price.usd(2.00, 0.50, 8.00)),
            // Reasoning models: reasoning tokens are billed as output and are part of completion_tokens.
            new Entry("o1", Price.usd(15.00, 7.50, 60.00)),
            new Entry("o1-20??-??-??", Price.usd(15.00, 7.50, 60.00)),
            new Entry("o3-mini", Price.usd(1.10, 0.55, 4.40)),
            new Entry("o3-mini-20??-??-??", Price.usd(1.10, 0.55, 4.40)),
            // o3 after OpenAI's June 2025 price cut (it launched at 10 / 2.50 / 40).
            new Entry("o3", Price.usd(2.00, 0.50, 8.00)),
            new Entry("o3-20??-??-??", Price.usd(2.00, 0.50, 8.00)),
            new Entry("o4-mini", Price.usd(1.10, 0.275, 4.40)),
            new Entry("o4-mini-20??-??-??", Price.usd(1.10, 0.275, 4.40)),

            // ByteDance Doubao (Volcano Engine Ark), CNY per 1M tokens, the 2024-05 list prices of the
            // 32k models (pro 0.0008 / 0.002 yuan per thousand). Not verified against Volcano Engine's page:
            // approximate, check your contract. Cached input priced as input (no discount assumed).
            new Entry("doubao-1.5-pro-32k*", Price.cny(0.80, 0.80, 2.00)),
            new Entry("doubao-pro-32k*", Price.cny(0.80, 0.80, 2.00)),
            new Entry("doubao-1.5-lite-32k*", Price.cny(0.30, 0.30, 0.60)),
            new Entry("doubao-lite-32k*", Price.cny(0.30, 0.30, 0.60)),

            // Baidu ERNIE (Qianfan), CNY per 1M tokens. Not verified against Baidu's page: approximate,
            // check your contract. Cached input priced as input.
            new Entry("ernie-4.0-turbo*", Price.cny(20.00, 20.00, 60.00)),
            new Entry("ernie-4.5-turbo*", Price.cny(0.80, 0.80, 3.20)));
}
